// The per-namespace lock (flock on a lock file, as snapd's tools use).
#pragma once

#include <stdexcept>
#include <string>

#include "base/fd.hpp"

namespace nsr::cmd {

struct LockTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Takes an exclusive lock on PATH (creating it and its directory, 0700).
// TIMEOUT_SEC < 0 waits forever. Throws LockTimeout or std::system_error.
base::Fd take_lock(const std::string& path, double timeout_sec);

// --from-snap-confine: the lock must already be held by our caller.
// Throws when it is not.
void require_lock_held_elsewhere(const std::string& path, const std::string& name);

}  // namespace nsr::cmd
