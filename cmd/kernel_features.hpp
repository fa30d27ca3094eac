// The kernel features nsreconcile can use, each probed on the running
// kernel rather than guessed from its version: what `nsreconcile features`
// reports.
//
// Probes that need CAP_SYS_ADMIN (the mount calls) run in a forked child
// that unshares its mount namespace, makes every mount in it private and
// works on a tmpfs of its own, so nothing reaches the caller's namespace or
// the host. Without the privilege to unshare, those features are Unknown
// with the detail "needs root". The others (statx, statmount, listmount,
// openat2, the cgroup files) only read, as the caller.
#pragma once

#include <string>
#include <vector>

namespace nsr::cmd {

struct KernelFeature {
    enum class State { Yes, No, Unknown };

    std::string name;      // stable identifier, e.g. "move_mount_beneath"
    std::string title;     // what it is, for people: "MOVE_MOUNT_BENEATH"
    bool needs_root;       // its probe mounts, in a throwaway namespace
    bool used;             // this version of nsreconcile uses it
    std::string used_for;  // what nsreconcile does with it
    std::string without;   // what nsreconcile does when the kernel lacks it
    State state = State::Unknown;
    std::string detail;  // how the probe answered when not Yes ("needs root", an errno)
};

std::string_view state_name(KernelFeature::State s);  // "yes", "no", "unknown"

// The running kernel's release (uname -r).
std::string kernel_release();

// Every feature, in a fixed order, probed now. Throws std::runtime_error
// only when the probing child cannot be run at all.
std::vector<KernelFeature> probe_kernel_features();

}  // namespace nsr::cmd
