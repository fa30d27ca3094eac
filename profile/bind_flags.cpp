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

bool bind_read_only(const MountEntry& e, bool source_ro, bool fs_ro) {
    constexpr unsigned long kAccess = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    const unsigned long named = options_to_flags(e.options).flags & kAccess;
    bool ro = (named == 0 && !is_top_flags(e)) ? source_ro : (named & MS_RDONLY) != 0 || fs_ro;
    const RecursiveAttrs rec = recursive_attrs(e);
    if (rec.set & MOUNT_ATTR_RDONLY)
        ro = true;
    else if (rec.clear & MOUNT_ATTR_RDONLY)
        ro = fs_ro;
    return ro;
}

}  // namespace nsr::profile
