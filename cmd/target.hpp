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

// Which path flags a subcommand offers, besides --layout.
enum TargetFlags : unsigned {
    kNsFileFlag = 1,   // --ns-file
    kDesiredFlag = 2,  // --desired
    kCurrentFlag = 4,  // --current
    kLockFlags = 8,    // --lock, --lock-timeout
    kAllTargetFlags = 15,
};

boost::program_options::options_description target_options(unsigned flags = kAllTargetFlags);

// NAME's paths from the parsed options; a bad name or layout is a UsageError.
Target resolve_target(const boost::program_options::variables_map& vm, const std::string& name);

}  // namespace nsr::cmd
