// One reconcile of one namespace, end to end (DESIGN.md "What it does"):
// lock, read and check both profiles, enter the namespace, snapshot the
// mount table, plan, apply (with the application's cgroups frozen, when
// asked), save the new current profile, report.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cmd/layout.hpp"
#include "cmd/target.hpp"
#include "cmd/text_report.hpp"

namespace nsr::cmd {

struct RunRequest {
    std::string name;
    Paths paths;
    bool enter_namespace = true;      // false: act on the namespace we are in
    bool dry_run = false;             // plan and print, change nothing
    bool take_lock = true;            // false: read-only look (plan NAME)
    bool tuck = true;                 // replace beneath, mimics built detached
    bool json = false;                // report as JSON
    TextStyle text;                   // how the text report looks
    bool strict_validation = true;    // reject profiles lint would reject
    bool failures_are_errors = true;  // non-fatal change failures give exit 1
    bool save_current = true;         // write the new current profile
    bool from_snap_confine = false;   // the caller holds the lock
    double lock_timeout = -1;         // seconds; < 0 waits forever
    long user_uid = -1;               // >= 0: per-user mounts ($XDG_RUNTIME_DIR)
    // A container's namespace (/proc/PID/ns/mnt): its sources are the
    // host's, taken before setns (reconcile/host_sources.hpp).
    std::optional<long> container_pid;

    // Cgroup directories whose processes are frozen while changes are applied.
    std::vector<std::string> freeze_cgroups;
    std::function<void(const std::string&)> debug;
};

// A request for TARGET: its name, paths, lock timeout and debug log.
RunRequest request_for(const Target& target);

// Returns the exit code. Reports go to OUT; problems are thrown as
// exceptions (RunError carries its exit code).
int reconcile_namespace(const RunRequest& req, std::ostream& out);

struct RunError : std::runtime_error {
    RunError(int code, const std::string& what) : std::runtime_error(what), exit_code(code) {}
    int exit_code;
};

}  // namespace nsr::cmd
