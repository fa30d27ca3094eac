// Where a namespace's files live: nsreconcile's own layout or snapd's.
#pragma once

#include <string>

namespace nsr::cmd {

enum class Layout { Native, Snapd };

struct Paths {
    std::string ns_file;  // the bind-mounted nsfs file of the namespace
    std::string desired;  // desired profile
    std::string current;  // current profile (the log of what was applied)
    std::string lock;     // per-namespace lock file
};

// Paths for NAME; USER_UID >= 0 gives the per-user profile paths.
Paths paths_for(Layout layout, const std::string& name, long user_uid = -1);

Layout layout_from_name(const std::string& name);  // "native" / "snapd"; throws otherwise

// snapd's instance-name rule: SNAP[_KEY]; "" when valid, else why not.
std::string instance_name_problem(const std::string& name);

}  // namespace nsr::cmd
