#include "cmd/layout.hpp"

#include <regex>
#include <stdexcept>

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

std::string instance_name_problem(const std::string& name) {
    static const std::regex snap_re("^([a-z0-9]+-?)*[a-z](-?[a-z0-9])*$");
    static const std::regex key_re("^[a-z0-9]{1,10}$");
    auto us = name.find('_');
    if (us != std::string::npos && name.find('_', us + 1) != std::string::npos) {
        return "snap instance name can contain only one underscore";
    }
    const std::string snap = name.substr(0, us);
    if (snap.size() < 2 || snap.size() > 40) {
        return "snap name must be between 2 and 40 characters long";
    }
    if (!std::regex_match(snap, snap_re))
        return "invalid snap name: \"" + snap + "\"";
    if (us != std::string::npos && !std::regex_match(name.substr(us + 1), key_re)) {
        return "invalid instance key: \"" + name.substr(us + 1) + "\"";
    }
    return "";
}

}  // namespace nsr::cmd
