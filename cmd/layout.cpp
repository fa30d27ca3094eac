#include "cmd/layout.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace nsr::cmd {

Paths paths_for(Layout layout, const std::string& name, long user_uid) {
    const bool user = user_uid >= 0;
    if (layout == Layout::Snapd) {
        return {
            "/run/snapd/ns/" + name + ".mnt",
            "/var/lib/snapd/mount/snap." + name + (user ? ".user-fstab" : ".fstab"),
            user ? "/run/snapd/ns/snap." + name + "." + std::to_string(user_uid) + ".user-fstab"
                 : "/run/snapd/ns/snap." + name + ".fstab",
            "/run/snapd/lock/" + name + ".lock",
        };
    }
    const std::string suffix = user ? "." + std::to_string(user_uid) + ".user.fstab" : ".fstab";
    return {
        "/run/nsreconcile/ns/" + name + ".mnt",
        "/var/lib/nsreconcile/profiles/" + name + (user ? ".user.fstab" : ".fstab"),
        "/run/nsreconcile/ns/" + name + suffix,
        "/run/nsreconcile/lock/" + name + ".lock",
    };
}

Layout layout_from_name(const std::string& name) {
    if (name == "native")
        return Layout::Native;
    if (name == "snapd")
        return Layout::Snapd;
    throw std::invalid_argument("unknown layout '" + name + "' (native or snapd)");
}

namespace {

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// snapd's snap name pattern ^([a-z0-9]+-?)*[a-z](-?[a-z0-9])*$, spelled
// out (std::regex costs a whole run's worth of start-up): lowercase
// letters, digits and single hyphens between them, at least one letter.
bool valid_snap_name(std::string_view s) {
    if (s.empty() || s.front() == '-' || s.back() == '-')
        return false;
    bool letter = false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '-') {
            if (s[i - 1] == '-')
                return false;
        } else if (!is_lower_alnum(s[i])) {
            return false;
        }
        letter = letter || (s[i] >= 'a' && s[i] <= 'z');
    }
    return letter;
}

// ^[a-z0-9]{1,10}$
bool valid_instance_key(std::string_view s) {
    return !s.empty() && s.size() <= 10 && std::all_of(s.begin(), s.end(), is_lower_alnum);
}

}  // namespace

std::string instance_name_problem(const std::string& name) {
    auto us = name.find('_');
    if (us != std::string::npos && name.find('_', us + 1) != std::string::npos) {
        return "snap instance name can contain only one underscore";
    }
    const std::string snap = name.substr(0, us);
    if (snap.size() < 2 || snap.size() > 40) {
        return "snap name must be between 2 and 40 characters long";
    }
    if (!valid_snap_name(snap))
        return "invalid snap name: \"" + snap + "\"";
    if (us != std::string::npos && !valid_instance_key(name.substr(us + 1))) {
        return "invalid instance key: \"" + name.substr(us + 1) + "\"";
    }
    return "";
}

}  // namespace nsr::cmd
