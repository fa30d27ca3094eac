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

// The longest wait for the lock that is not taken for a mistake: a year.
// A negative timeout waits forever.
inline constexpr double kMaxLockTimeout = 365 * 24 * 3600.0;

// Why SECONDS is not a lock timeout ("must be a finite number of seconds",
// ...), or "" when it is one: negative, or at most kMaxLockTimeout. NaN,
// the infinities and longer waits are not (a NaN compares false both ways
// and would wait forever; a huge deadline overflows the clock).
std::string lock_timeout_problem(double seconds);

// Takes an exclusive lock on PATH (creating it 0600 and its directory
// 0700); it is held until the returned fd is closed. TIMEOUT_SEC < 0 waits
// forever. Throws std::invalid_argument when lock_timeout_problem() finds
// one, LockTimeout or std::system_error.
base::Fd take_lock(const std::string& path, double timeout_sec);

// snap-confine already holds the lock of NAME (snap-update-ns
// --from-snap-confine): throws std::runtime_error when nobody does.
void require_lock_held_elsewhere(const std::string& path, const std::string& name);

}  // namespace nsr::reconcile
