// A real cgroup made for one test, with a sleeping process in it: created
// under the host's cgroup v2 hierarchy or cgroup v1 freezer hierarchy, and
// removed (process killed, directory deleted) when the test ends, even when
// it fails.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace nsr::cmd::test {

enum class CgroupVersion { V1, V2 };

// Where the hierarchy is mounted (from /proc/self/mountinfo); "" when it is
// not mounted.
std::string hierarchy_root(CgroupVersion version);

class TestCgroup {
  public:
    // Fails the current test when the hierarchy is not mounted.
    explicit TestCgroup(CgroupVersion version);
    ~TestCgroup();
    TestCgroup(const TestCgroup&) = delete;
    TestCgroup& operator=(const TestCgroup&) = delete;

    const std::string& path() const { return path_; }
    pid_t sleeper() const { return sleeper_; }

    // What the kernel reports: cgroup.events "frozen 1" (v2) or
    // freezer.state "FROZEN" (v1).
    bool frozen() const;

    // Moves PID into this cgroup.
    void adopt(pid_t pid) const;

  private:
    void remove() noexcept;

    CgroupVersion version_;
    std::string path_;
    pid_t sleeper_ = -1;
};

// Polls PRED for up to two seconds; true as soon as it holds.
bool eventually(const std::function<bool()>& pred);

}  // namespace nsr::cmd::test
