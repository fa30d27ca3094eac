#include "cmd/layout.hpp"

#include <regex>
#include <stdexcept>

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
