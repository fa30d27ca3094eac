// Accessors of one mount's fields.
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

bool Mount::has_mount_option(std::string_view opt) const {
    return base::has_option(mount_options, opt);
}

std::optional<std::string> Mount::super_option(std::string_view key) const {
    if (auto value = base::find_option(super_options, key))
        return std::string(*value);
    return std::nullopt;
}

}  // namespace nsr::mountinfo
