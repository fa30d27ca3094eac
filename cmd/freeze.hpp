// Freezing an application's processes while its mount namespace changes, so
// that none of them sees a half-applied profile: the cgroup freezer of
// cgroup v2 (cgroup.freeze, cgroup.events) or of cgroup v1 (freezer.state).
#pragma once

#include <signal.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "cmd/thaw_guard.hpp"

namespace nsr::cmd {

class Freezer {
  public:
    static constexpr std::chrono::milliseconds kDefaultTimeout{3000};

    // Opens the freezer files of each cgroup directory in PATHS, so that the
    // cgroups can be frozen and thawed after this process has left the
    // host's mount namespace. A path that is not a cgroup we may freeze
    // (missing, without a freezer, or holding this very process) throws
    // base::InputError; other failures std::system_error.
    explicit Freezer(const std::vector<std::string>& paths,
                     std::chrono::milliseconds timeout = kDefaultTimeout);
    ~Freezer();  // thaws what is still frozen
    Freezer(const Freezer&) = delete;
    Freezer& operator=(const Freezer&) = delete;

    // Freezes every cgroup and returns once the kernel reports each one
    // frozen. Until thaw(), SIGINT, SIGTERM and SIGHUP thaw the cgroups and
    // then end the process as the signal would have, and a guard process
    // (cmd/thaw_guard.hpp) thaws them if this process dies any other way
    // (SIGKILL). When the kernel does not report the processes frozen in
    // time, throws std::runtime_error; std::system_error on other failures;
    // in every case with every cgroup thawed again.
    void freeze();

    // Thaws every cgroup; throws std::system_error when one cannot be.
    void thaw();

  private:
    struct Group {
        std::string path;
        bool v2 = true;
        base::Fd control;  // cgroup.freeze or freezer.state, written
        base::Fd state;    // cgroup.events or freezer.state, read
    };
    static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};

    bool is_frozen(const Group& g) const;
    void install_signal_handlers();
    void restore_signal_handlers();

    std::vector<Group> groups_;
    std::optional<ThawGuard> guard_;
    std::chrono::milliseconds timeout_;
    bool frozen_ = false;
    std::array<struct sigaction, kSignals.size()> saved_{};
    std::array<bool, kSignals.size()> installed_{};
};

}  // namespace nsr::cmd
