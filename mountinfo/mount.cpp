// Accessors of one mount's fields.
#include <sys/sysmacros.h>

#include "mountinfo/mount_table.hpp"

namespace nsr::mountinfo {

namespace {

// Calls FN with each comma-separated item of OPTIONS until it returns true.
template <typename Fn>
bool any_option(std::string_view options, Fn fn) {
    while (!options.empty()) {
        const size_t comma = options.find(',');
        if (fn(options.substr(0, comma))) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        options.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

dev_t Mount::dev() const {
    return makedev(major, minor);
}

bool Mount::read_only() const {
    return has_mount_option("ro");
}

bool Mount::has_mount_option(std::string_view opt) const {
    return any_option(mount_options, [&](std::string_view item) { return item == opt; });
}

std::optional<std::string> Mount::super_option(std::string_view key) const {
    std::optional<std::string> value;
    any_option(super_options, [&](std::string_view item) {
        if (!item.starts_with(key)) {
            return false;
        }
        const std::string_view rest = item.substr(key.size());
        if (rest.empty()) {
            value.emplace();
        } else if (rest.front() == '=') {
            value.emplace(rest.substr(1));
        }
        return value.has_value();
    });
    return value;
}

}  // namespace nsr::mountinfo
