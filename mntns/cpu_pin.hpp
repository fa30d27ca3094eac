// Pinning the calling process to one CPU at a time, for binding a fresh
// mount namespace to a file.
//
// Why: on Linux 6.18 namespace ids come from per-CPU batches, and binding a
// namespace file (`mount --bind /proc/PID/ns/mnt FILE`) is refused with
// EINVAL when the new namespace's id is not larger than the caller's
// namespace's (the kernel's loop check, mnt_ns_loop() in fs/namespace.c). A
// namespace made on a CPU whose batch is older than the caller's namespace
// gets a smaller id however often it is retried there; another CPU's batch
// may be newer. So the rule is: pin, make the namespace, bind; on EINVAL
// move to the next CPU and try again with a fresh namespace. (A caller that
// made its own namespace while pinned to the CPU it keeps succeeds at the
// first try on that CPU.)
#pragma once

#include <sched.h>

#include <vector>

#include "base/no_copy.hpp"

namespace nsr::mntns {

class CpuPin : base::NoCopy {
  public:
    // Reads the CPUs the process may run on; pins nothing yet. Throws
    // std::system_error when the affinity cannot be read.
    CpuPin();
    // Restores the affinity read by the constructor.
    ~CpuPin();

    // Pins to the CPU for ATTEMPT (0: the CPU the process runs on now, then
    // each other allowed CPU in turn, round and round) and returns it.
    // Throws std::system_error.
    int pin(int attempt);
    // Gives the process its whole affinity back (the destructor does too).
    void restore();

  private:
    cpu_set_t saved_{};
    std::vector<int> cpus_;
    bool pinned_ = false;
};

}  // namespace nsr::mntns
