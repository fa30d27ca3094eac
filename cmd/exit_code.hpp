// The exit codes of every subcommand (README "Exit codes") and the one
// table that maps the error that ended a command to its exit code.
#pragma once

#include <exception>

#include "base/error.hpp"

namespace nsr::cmd {

enum ExitCode : int {
    kExitOk = 0,
    kExitFailed = 1,    // a change failed, drift found, or any other error
    kExitBadInput = 2,  // usage error; invalid profile, scenario or configuration
    kExitLocked = 3,    // the lock was not obtained in time
};

// A malformed command line or configuration file: bad input, printed with
// a hint to read --help.
struct UsageError : base::InputError {
    using base::InputError::InputError;
};

// The exit code for E: base::InputError (UsageError included) is
// kExitBadInput, reconcile::LockTimeout is kExitLocked, anything else is
// kExitFailed.
ExitCode exit_code_for(const std::exception& e);

}  // namespace nsr::cmd
