// The namespace a subcommand acts on and where its files are: a layout, each
// of its paths, the writable places, how long to wait for the lock and how
// much to log. Each setting comes from its flag, else from the configuration
// file, else from the built-in default. Also the update contexts
// (reconcile/update_context.hpp) built from those settings.
#pragma once

#include <sys/types.h>

#include <boost/program_options.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/config.hpp"
#include "cmd/layout.hpp"
#include "reconcile/system_context.hpp"
#include "reconcile/user_context.hpp"

namespace nsr::cmd {

// The settings that do not depend on the namespace.
struct Settings {
    Layout layout = Layout::Native;
    Config config;             // what the configuration file said
    double lock_timeout = -1;  // seconds; < 0 waits forever
    LogLevel log_level = LogLevel::Error;
};

struct Target {
    std::string name;
    Settings settings;
    reconcile::NamespacePaths paths;
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

// The parsed options and the configuration file (--config FILE, else
// /etc/nsreconcile/config.yaml when it exists). A bad layout or log level
// is a UsageError, a bad file too.
Settings resolve_settings(const boost::program_options::variables_map& vm);

// The layout's path templates ({name} where the name goes) with the
// configuration file's templates in place.
reconcile::NamespacePaths configured_templates(const Settings& settings);

// NAME's settings and paths. A bad name is a UsageError. With USER, the
// per-user profiles of that user in the layout (the file's templates are for
// the system profiles and do not apply to them).
Target resolve_target(const boost::program_options::variables_map& vm, const std::string& name,
                      std::optional<uid_t> user = std::nullopt);

// Where the debug log goes at the log level: stderr lines prefixed
// "debug: ", or nowhere.
std::function<void(const std::string&)> debug_log(const Settings& settings);

// The writable places of TARGET's system profile: snapd's list for the
// snapd layout, the configuration file's (or the default) for the native one.
reconcile::WritablePlaces writable_places(const Target& target);

// The contexts of nsreconcile's own commands (desired profiles checked as
// lint checks them): apply NAME (a container's when the namespace file is
// /proc/PID/ns/mnt, as --pid gives it); plan NAME (the same, without the
// lock); apply NAME --user-mounts (the target resolved for that user,
// REAL_HOME from $SNAP_REAL_HOME).
std::unique_ptr<reconcile::UpdateContext> system_context(const Target& target);
std::unique_ptr<reconcile::UpdateContext> plan_only_context(const Target& target);
std::unique_ptr<reconcile::UpdateContext> user_context(const Target& target, uid_t uid,
                                                       const std::string& real_home);

}  // namespace nsr::cmd
