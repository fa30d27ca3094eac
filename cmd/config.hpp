// The optional YAML configuration file (/etc/nsreconcile/config.yaml, or
// --config FILE): the default layout, the paths of each layout as templates
// with a {name} placeholder, the native layout's writable places, the lock
// timeout and the log level. Every key is optional; a key not set leaves
// the built-in default in place.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cmd/exit_code.hpp"
#include "cmd/layout.hpp"

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
    // Where the native layout may create mount points without a mimic
    // (absolute clean paths; reconcile/writable_places.hpp).
    std::optional<std::vector<std::string>> writable;
    std::optional<double> lock_timeout;  // seconds; < 0 waits forever
    std::optional<LogLevel> log_level;
};

// Reads and validates PATH. A missing file is an error unless
// MISSING_IS_EMPTY, which gives a Config with nothing set. A bad file throws
// UsageError naming the file, the line and the key: it is bad input (exit
// 2), like a malformed command line.
Config load_config(const std::string& path, bool missing_is_empty = false);
// The same for the configuration TEXT, which PATH names in errors. Throws
// UsageError.
Config parse_config(const std::string& text, const std::string& path);

}  // namespace nsr::cmd
