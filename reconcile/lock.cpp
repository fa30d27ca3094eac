#include "reconcile/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"

namespace nsr::reconcile {

namespace {

base::Fd open_lock(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0)
        base::make_dirs(path.substr(0, slash), 0700);
    return base::Fd(
        base::check_sys(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600),
                        "cannot open lock file \"" + path + "\""));
}

}  // namespace

std::string lock_timeout_problem(double seconds) {
    if (!std::isfinite(seconds))
        return "must be a finite number of seconds";
    if (seconds > kMaxLockTimeout) {
        return "must be at most " + std::to_string(static_cast<long>(kMaxLockTimeout)) +
               " seconds (a year); a negative value waits forever";
    }
    return "";
}

base::Fd take_lock(const std::string& path, double timeout_sec) {
    if (const auto problem = lock_timeout_problem(timeout_sec); !problem.empty())
        throw std::invalid_argument("the lock timeout " + problem);
    base::Fd fd = open_lock(path);
    if (timeout_sec < 0) {
        while (::flock(fd.get(), LOCK_EX) != 0) {
            if (errno != EINTR) {
                base::throw_errno(-errno, "cannot lock \"" + path + "\"");
            }
        }
        return fd;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_sec);
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            base::throw_errno(-errno, "cannot lock \"" + path + "\"");
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw LockTimeout("timed out after " + std::to_string(timeout_sec) +
                              "s waiting for the lock \"" + path + "\"");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return fd;
}

void require_lock_held_elsewhere(const std::string& path, const std::string& name) {
    base::Fd fd = open_lock(path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK) {
        throw std::runtime_error("mount namespace of snap \"" + name +
                                 "\" is not locked but --from-snap-confine was used");
    }
}

}  // namespace nsr::reconcile
