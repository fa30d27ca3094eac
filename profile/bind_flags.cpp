#include "profile/bind_flags.hpp"

#include <linux/mount.h>
#include <sys/mount.h>

#include "profile/flags.hpp"

namespace nsr::profile {
namespace {

struct RecursiveFlag {
    std::string_view name;
    bool clear;
    uint64_t attr;
};

// runc's recAttrFlags (libcontainer/specconv).
constexpr RecursiveFlag kRecursiveFlags[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},
    {"rnorelatime", true, MOUNT_ATTR_RELATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},
    {"ratime", true, MOUNT_ATTR_NOATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", true, MOUNT_ATTR_STRICTATIME},
};

const RecursiveFlag* recursive_flag(std::string_view name) {
    for (const auto& f : kRecursiveFlags) {
        if (f.name == name)
            return &f;
    }
    return nullptr;
}

}  // namespace

bool is_top_flags(const MountEntry& e) {
    return e.has_option(kTopFlagsOption);
}

bool is_recursive_flag(std::string_view name) {
    return recursive_flag(name) != nullptr;
}

RecursiveAttrs recursive_attrs(const MountEntry& e) {
    RecursiveAttrs a;
    for (const auto& o : e.options) {
        if (!o.starts_with(kNsrPrefix))
            continue;
        const RecursiveFlag* f = recursive_flag(std::string_view(o).substr(kNsrPrefix.size()));
        if (!f)
            continue;
        if (f->clear) {
            a.clear |= f->attr;
            a.set &= ~f->attr;
        } else {
            a.set |= f->attr;
            a.clear &= ~f->attr;
        }
        // mount_setattr(2): an atime setting must clear the whole atime field.
        if ((f->attr & MOUNT_ATTR__ATIME) == f->attr)
            a.clear |= MOUNT_ATTR__ATIME;
    }
    return a;
}

uint64_t bind_attrs(const MountEntry& e, uint64_t source) {
    constexpr uint64_t kAccess =
        MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    // The clone keeps the source's flags; then MountOps::set_attrs.
    struct mount_attr a = to_mount_attr(options_to_flags(e.options).flags);
    if ((a.attr_set & kAccess) || is_top_flags(e))
        a.attr_clr |= kAccess & ~a.attr_set;
    uint64_t attrs = (source & ~a.attr_clr) | a.attr_set;
    const RecursiveAttrs rec = recursive_attrs(e);
    attrs = (attrs & ~rec.clear) | rec.set;
    return attrs & kBindAttrs;
}

}  // namespace nsr::profile
