#include "profile/bind_flags.hpp"

#include <linux/mount.h>
#include <sys/mount.h>

#include "profile/flags.hpp"
#include "profile/named_flag.hpp"

namespace nsr::profile {
namespace {

// runc's recAttrFlags (libcontainer/specconv).
constexpr NamedFlag<uint64_t> kRecursiveFlags[] = {
    {"rro", MOUNT_ATTR_RDONLY, false},
    {"rrw", MOUNT_ATTR_RDONLY, true},
    {"rnosuid", MOUNT_ATTR_NOSUID, false},
    {"rsuid", MOUNT_ATTR_NOSUID, true},
    {"rnodev", MOUNT_ATTR_NODEV, false},
    {"rdev", MOUNT_ATTR_NODEV, true},
    {"rnoexec", MOUNT_ATTR_NOEXEC, false},
    {"rexec", MOUNT_ATTR_NOEXEC, true},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, false},
    {"rdiratime", MOUNT_ATTR_NODIRATIME, true},
    {"rrelatime", MOUNT_ATTR_RELATIME, false},
    {"rnorelatime", MOUNT_ATTR_RELATIME, true},
    {"rnoatime", MOUNT_ATTR_NOATIME, false},
    {"ratime", MOUNT_ATTR_NOATIME, true},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, false},
    {"rnostrictatime", MOUNT_ATTR_STRICTATIME, true},
};

}  // namespace

bool is_top_flags(const MountEntry& e) {
    return e.has_option(kTopFlagsOption);
}

bool is_recursive_flag(std::string_view name) {
    return find_named_flag(kRecursiveFlags, name) != nullptr;
}

RecursiveAttrs recursive_attrs(const MountEntry& e) {
    RecursiveAttrs a;
    for (const auto& o : e.options) {
        if (!o.starts_with(kNsrPrefix))
            continue;
        const auto* f =
            find_named_flag(kRecursiveFlags, std::string_view(o).substr(kNsrPrefix.size()));
        if (!f)
            continue;
        if (f->clear) {
            a.clear |= f->bits;
            a.set &= ~f->bits;
        } else {
            a.set |= f->bits;
            a.clear &= ~f->bits;
        }
        // mount_setattr(2): an atime setting must clear the whole atime field.
        if ((f->bits & MOUNT_ATTR__ATIME) == f->bits)
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
