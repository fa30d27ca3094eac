// Building, attaching and detaching mounts through fds (the new mount API),
// so that nothing is re-resolved by path between checking and mounting.
#pragma once

#include <sys/mount.h>

#include <string>
#include <vector>

#include "base/fd.hpp"
#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

// The MS_* propagation flags: a mount gets them once it is attached, and
// they would reach whatever is mounted on it by then.
inline constexpr unsigned long kPropagationFlags =
    MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE;

struct MountAttrs {
    unsigned long ms_flags = 0;  // MS_RDONLY, MS_NOSUID, ... as in the entry
    bool recursive = false;      // apply to a whole rbind tree
    // With any of ro/nosuid/nodev/noexec named, clear the ones not named.
    bool exact = false;
};

class MountOps {
  public:
    explicit MountOps(Kernel& kernel) : k_(kernel) {}

    // A detached copy of the mount tree at SRC (recursive for rbind) with
    // ATTRS applied before anyone can see it.
    base::Fd clone(const base::Fd& src, const MountAttrs& attrs);
    // A detached new filesystem: TYPE from SOURCE with DATA ("k=v,flag").
    base::Fd create(const std::string& type, const std::string& source, const std::string& data,
                    const MountAttrs& attrs);
    // Attaches TREE on top of TARGET, or beneath the mount on top of it.
    // Returns 0 or -errno (EINVAL when the kernel refuses a tuck).
    int attach(const base::Fd& tree, const base::Fd& target, bool beneath);
    // Attaches TREE at NAME inside the directory DIRFD (possibly a detached tree).
    int attach_at(const base::Fd& tree, const base::Fd& dir, const std::string& name);
    // Sets propagation (MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE) on the
    // mount at TARGET, recursively with REC. 0 or -errno.
    int set_propagation(const base::Fd& target, unsigned long ms_propagation, bool recursive);
    // Makes the mount at TARGET recursively private, then lazily detaches
    // it. 0 or -errno.
    int detach(const base::Fd& target);
    // Unmounts the mount at PATH (no lazy detach), not following a final
    // symlink. 0 or -errno.
    int unmount(const std::string& path);

    Kernel& kernel() { return k_; }

  private:
    Kernel& k_;
};

}  // namespace nsr::reconcile
