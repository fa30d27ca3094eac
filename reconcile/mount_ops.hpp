// Building, attaching and detaching mounts through fds (the new mount API),
// so that nothing is re-resolved by path between checking and mounting.
#pragma once

#include <sys/mount.h>

#include <cstdint>
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
    // runc's rule (x-nsr.top-flags): the flags exactly, even when none of
    // ro/nosuid/nodev/noexec is named, and on the top mount of a recursive
    // copy only.
    bool top_only = false;
};

class MountOps {
  public:
    explicit MountOps(Kernel& kernel) : k_(kernel) {}

    // A detached copy of the mount tree at SRC (recursive for rbind) with
    // ATTRS applied before anyone can see it.
    base::Fd clone(const base::Fd& src, const MountAttrs& attrs);
    // Applies ATTRS to the detached copy TREE as clone() does (for a copy
    // made earlier, e.g. before entering a container's namespace). Throws.
    void set_attrs(const base::Fd& tree, const MountAttrs& attrs);
    // A detached new filesystem: TYPE from SOURCE with DATA ("k=v,flag").
    base::Fd create(const std::string& type, const std::string& source, const std::string& data,
                    const MountAttrs& attrs);
    // Sets and clears mount_setattr attributes on every mount of TREE
    // (x-nsr.rro, ...). 0 or -errno.
    int set_tree_attrs(const base::Fd& tree, uint64_t set, uint64_t clear);
    // Attaches TREE on top of TARGET, or beneath the mount on top of it.
    // Returns 0 or -errno (EINVAL when the kernel refuses a tuck).
    int attach(const base::Fd& tree, const base::Fd& target, bool beneath);
    // Attaches TREE at NAME inside the directory DIRFD (possibly a detached tree).
    int attach_at(const base::Fd& tree, const base::Fd& dir, const std::string& name);
    // Sets propagation (MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE) on the
    // mount at TARGET, recursively with REC. 0 or -errno.
    int set_propagation(const base::Fd& target, unsigned long ms_propagation, bool recursive);
    // Makes the mount at TARGET recursively private, then lazily detaches
    // it. 0 or -errno. Nothing may be mounted on TARGET's root: the
    // mount on top there would be detached instead.
    int detach(const base::Fd& target);
    // Unmounts the mount at LEAF in the directory PARENT (no lazy detach),
    // not following LEAF if it is a symlink. 0 or -errno. The name goes
    // through PARENT's fd ("/proc/self/fd/N/LEAF"), so no directory above
    // LEAF can be swapped for a symlink in between: only LEAF is looked up
    // by name. An fd of the mount itself would do it by fd, but an open fd,
    // even an O_PATH one, keeps the mount busy (EBUSY).
    int unmount(const base::Fd& parent, const std::string& leaf);

    Kernel& kernel() { return k_; }

  private:
    // umount2 of BELOW ("" or "/NAME") under FD's /proc path.
    int umount_through(const base::Fd& fd, const std::string& below, int flags);

    Kernel& k_;
    // open_tree_attr(2) said ENOSYS: the kernel predates it.
    bool open_tree_attr_missing_ = false;
};

}  // namespace nsr::reconcile
