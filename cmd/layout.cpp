#include "cmd/layout.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "base/names.hpp"

namespace nsr::cmd {

std::string expand_name(const std::string& path_template, const std::string& name) {
    std::string out;
    size_t from = 0;
    for (size_t at; (at = path_template.find(kNamePlaceholder, from)) != std::string::npos;
         from = at + kNamePlaceholder.size()) {
        out += path_template.substr(from, at - from) + name;
    }
    return out + path_template.substr(from);
}

reconcile::NamespacePaths path_templates(Layout layout) {
    if (layout == Layout::Snapd) {
        return {"/run/snapd/ns/{name}.mnt", "/var/lib/snapd/mount/snap.{name}.fstab",
                "/run/snapd/ns/snap.{name}.fstab", "/run/snapd/lock/{name}.lock"};
    }
    return {"/run/nsreconcile/ns/{name}.mnt", "/var/lib/nsreconcile/profiles/{name}.fstab",
            "/run/nsreconcile/ns/{name}.fstab", "/run/nsreconcile/lock/{name}.lock"};
}

reconcile::NamespacePaths paths_for(Layout layout, const std::string& name) {
    reconcile::NamespacePaths p = path_templates(layout);
    for (std::string* path : {&p.ns_file, &p.desired, &p.current, &p.lock})
        *path = expand_name(*path, name);
    return p;
}

reconcile::NamespacePaths user_paths_for(Layout layout, const std::string& name, uid_t uid) {
    reconcile::NamespacePaths p = paths_for(layout, name);
    const std::string id = std::to_string(uid);
    if (layout == Layout::Snapd) {
        p.desired = "/var/lib/snapd/mount/snap." + name + ".user-fstab";
        p.current = "/run/snapd/ns/snap." + name + "." + id + ".user-fstab";
    } else {
        p.desired = "/var/lib/nsreconcile/profiles/" + name + ".user.fstab";
        p.current = "/run/nsreconcile/ns/" + name + "." + id + ".user.fstab";
    }
    return p;
}

Layout layout_from_name(const std::string& name) {
    static constexpr base::Named<Layout> kLayouts[] = {{Layout::Native, "native"},
                                                       {Layout::Snapd, "snapd"}};
    return base::parse_name(kLayouts, name, "layout");
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
