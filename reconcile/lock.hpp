// The per-namespace lock: flock(2) on a lock file, as snapd's tools use
// it, so that nsreconcile, snap-update-ns and snap-confine exclude each
// other.
#pragma once

#include <stdexcept>
#include <string>

#include "base/fd.hpp"

namespace nsr::reconcile {

// The lock was not obtained within the time allowed.
struct LockTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Takes an exclusive lock on PATH (creating it 0600 and its directory
// 0700); it is held until the returned fd is closed. TIMEOUT_SEC < 0 waits
// forever. Throws LockTimeout or std::system_error.
base::Fd take_lock(const std::string& path, double timeout_sec);

// snap-confine already holds the lock of NAME (snap-update-ns
// --from-snap-confine): throws std::runtime_error when nobody does.
void require_lock_held_elsewhere(const std::string& path, const std::string& name);

}  // namespace nsr::reconcile
