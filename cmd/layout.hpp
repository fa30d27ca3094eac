// Where a namespace's files live: nsreconcile's own layout or snapd's.
#pragma once

#include <sys/types.h>

#include <string>

#include "reconcile/update_context.hpp"

namespace nsr::cmd {

enum class Layout { Native, Snapd };

// The placeholder for the namespace name in path templates, the layouts'
// own and the configuration file's.
inline constexpr std::string_view kNamePlaceholder = "{name}";

// TEMPLATE with every kNamePlaceholder replaced by NAME.
std::string expand_name(const std::string& path_template, const std::string& name);

// The layout's paths for the system profile, as templates.
reconcile::NamespacePaths path_templates(Layout layout);

// The layout's paths for NAME's system profile.
reconcile::NamespacePaths paths_for(Layout layout, const std::string& name);

// The layout's paths for the per-user profiles of user UID in namespace
// NAME: the same namespace file and lock, the user's desired and current
// profiles.
reconcile::NamespacePaths user_paths_for(Layout layout, const std::string& name, uid_t uid);

Layout layout_from_name(const std::string& name);  // "native" / "snapd"; throws otherwise

// snapd's instance-name rule: SNAP[_KEY]; "" when valid, else why not.
std::string instance_name_problem(const std::string& name);

}  // namespace nsr::cmd
