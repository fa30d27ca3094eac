// The optional YAML configuration file (/etc/nsreconcile/config.yaml, or
// --config FILE): the default layout, the paths of each layout as templates
// with a {name} placeholder, the lock timeout and the log level. Every key is
// optional; a key not set leaves the built-in default in place.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "cmd/layout.hpp"
#include "cmd/subcommands.hpp"

namespace nsr::cmd {

inline constexpr const char* kDefaultConfigPath = "/etc/nsreconcile/config.yaml";

// Error: only errors (and each command's own report) are printed.
// Debug: each step is logged on stderr, as -v does.
enum class LogLevel { Error, Debug };

LogLevel log_level_from_name(const std::string& name);  // throws std::invalid_argument

// Path templates of one layout; "{name}" stands for the namespace name.
struct PathTemplates {
    std::optional<std::string> ns_file;
    std::optional<std::string> desired;
    std::optional<std::string> current;
    std::optional<std::string> lock;
};

struct Config {
    std::optional<Layout> layout;
    std::map<Layout, PathTemplates> paths;
    std::optional<double> lock_timeout;  // seconds; < 0 waits forever
    std::optional<LogLevel> log_level;
};

// The longest wait for the lock that is not taken for a mistake: a year.
// A negative timeout waits forever.
inline constexpr double kMaxLockTimeout = 365 * 24 * 3600.0;

// Why SECONDS is not a lock timeout ("must be a finite number of seconds",
// ...), or "" when it is one: negative, or at most kMaxLockTimeout. NaN,
// the infinities and longer waits are not.
std::string lock_timeout_problem(double seconds);

// A bad configuration file: the message names the file, the line and the key.
// It is bad input (exit 2), like a malformed command line.
struct ConfigError : UsageError {
    using UsageError::UsageError;
};

// Reads and validates PATH. A missing file is an error unless
// MISSING_IS_EMPTY, which gives a Config with nothing set.
Config load_config(const std::string& path, bool missing_is_empty = false);
// The same for the configuration TEXT, which PATH names in errors. Throws
// ConfigError.
Config parse_config(const std::string& text, const std::string& path);

// TEMPLATE with every "{name}" replaced by NAME.
std::string expand_name(const std::string& path_template, const std::string& name);

}  // namespace nsr::cmd
