// Accessors of one mount's fields.
#include <linux/mount.h>
#include <sys/sysmacros.h>

#include "base/options.hpp"
#include "mountinfo/mount_table.hpp"

namespace nsr::mountinfo {

dev_t Mount::dev() const {
    return makedev(major, minor);
}

bool Mount::read_only() const {
    return has_mount_option("ro");
}

uint64_t Mount::attrs() const {
    uint64_t a = MOUNT_ATTR_STRICTATIME;
    for (const base::Option& o : base::OptionList(mount_options)) {
        if (o.key == "ro")
            a |= MOUNT_ATTR_RDONLY;
        else if (o.key == "nosuid")
            a |= MOUNT_ATTR_NOSUID;
        else if (o.key == "nodev")
            a |= MOUNT_ATTR_NODEV;
        else if (o.key == "noexec")
            a |= MOUNT_ATTR_NOEXEC;
        else if (o.key == "nodiratime")
            a |= MOUNT_ATTR_NODIRATIME;
        else if (o.key == "nosymfollow")
            a |= MOUNT_ATTR_NOSYMFOLLOW;
        else if (o.key == "relatime")
            a = (a & ~MOUNT_ATTR__ATIME) | MOUNT_ATTR_RELATIME;
        else if (o.key == "noatime")
            a = (a & ~MOUNT_ATTR__ATIME) | MOUNT_ATTR_NOATIME;
    }
    return a;
}

bool Mount::has_mount_option(std::string_view opt) const {
    return base::has_option(mount_options, opt);
}

std::optional<std::string> Mount::super_option(std::string_view key) const {
    if (auto value = base::find_option(super_options, key))
        return std::string(*value);
    return std::nullopt;
}

}  // namespace nsr::mountinfo
