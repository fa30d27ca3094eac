// The namespace a subcommand acts on and where its files are: a layout,
// each of its paths overridable by flag, and how long to wait for the lock.
#pragma once

#include <boost/program_options.hpp>
#include <string>

#include "cmd/layout.hpp"

namespace nsr::cmd {

struct Target {
    std::string name;
    Layout layout = Layout::Native;
    Paths paths;
    double lock_timeout = -1;  // seconds; < 0 waits forever
};

// --layout, --ns-file, --desired, --current, and with LOCKING --lock and
// --lock-timeout.
boost::program_options::options_description target_options(bool locking = true);

// NAME's paths from the parsed options; a bad name or layout is a UsageError.
Target resolve_target(const boost::program_options::variables_map& vm, const std::string& name);

}  // namespace nsr::cmd
