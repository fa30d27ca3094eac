// A process that thaws frozen cgroups if nsreconcile dies while they are
// frozen: SIGKILL, or a crash, cannot be caught by a signal handler, and
// would otherwise leave the application frozen until someone thaws it by
// hand.
//
// The guard is a forked child (a thread would make setns(CLONE_NEWNS)
// fail). It waits on a pipe whose only writer is this process: when the
// pipe reaches end of file without the word that all is thawed, this
// process is gone, and the guard writes the thaw through the cgroup files
// it inherited.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <vector>

namespace nsr::cmd {

// One write that thaws a cgroup: TEXT (LEN bytes) at offset 0 of FD.
struct ThawWrite {
    int fd;
    const char* text;
    size_t len;
};

class ThawGuard {
  public:
    // Starts the guard for WRITES, whose fds and texts must stay valid
    // until disarm(). Throws std::system_error when it cannot be started.
    explicit ThawGuard(const std::vector<ThawWrite>& writes);
    ~ThawGuard();  // disarms
    ThawGuard(const ThawGuard&) = delete;
    ThawGuard& operator=(const ThawGuard&) = delete;

    // The cgroups are thawed: the guard exits without writing anything.
    // Waits for it to exit.
    void disarm();

  private:
    pid_t pid_ = -1;
    int pipe_ = -1;  // the write end
};

}  // namespace nsr::cmd
