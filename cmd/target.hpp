// The namespace a subcommand acts on and where its files are: a layout, each
// of its paths, how long to wait for the lock and how much to log. Each
// setting comes from its flag, else from the configuration file, else from
// the built-in default.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>

#include "cmd/config.hpp"
#include "cmd/layout.hpp"

namespace nsr::cmd {

struct Target {
    std::string name;
    Layout layout = Layout::Native;
    Paths paths;
    double lock_timeout = -1;  // seconds; < 0 waits forever
    LogLevel log_level = LogLevel::Error;
};

// Which path flags a subcommand offers, besides --config, --layout,
// --log-level and -v.
enum TargetFlags : unsigned {
    kNsFileFlag = 1,   // --ns-file
    kDesiredFlag = 2,  // --desired
    kCurrentFlag = 4,  // --current
    kLockFlags = 8,    // --lock, --lock-timeout
    kAllTargetFlags = 15,
    // --pid PID: the namespace of a process (a container's); only apply and
    // plan offer it.
    kPidFlag = 16,
};

boost::program_options::options_description target_options(unsigned flags = kAllTargetFlags);

// NAME's settings from the parsed options and the configuration file
// (--config FILE, else /etc/nsreconcile/config.yaml when it exists). A bad
// name, layout or log level is a UsageError, a bad file a ConfigError.
// USER_UID >= 0 gives the per-user profiles of the layout (the file's
// templates are for the system profiles and do not apply to them).
Target resolve_target(const boost::program_options::variables_map& vm, const std::string& name,
                      long user_uid = -1);

// Where the debug log goes at TARGET's log level: stderr lines prefixed
// "debug: ", or nowhere.
std::function<void(const std::string&)> debug_log(const Target& target);

}  // namespace nsr::cmd
