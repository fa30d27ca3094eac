// The sources of a profile's mounts, taken on the host before entering a
// container's mount namespace (apply --pid PID). A container's bind sources
// and overlay layers are host paths that its root does not show, so they
// cannot be opened after setns:
//   - a bind's source is opened with the symlink-refusing walk and copied
//     (open_tree OPEN_TREE_CLONE, recursive for rbind); the copy survives
//     setns and gets its flags and its place inside afterwards;
//   - an overlay is created whole (its layers by fd), because the kernel
//     refuses an upper layer outside the namespace of the process that
//     creates the overlay ("failed to clone upperpath"). It is created only
//     when the container does not show it at its mount point already: a new
//     overlay on the upper/work pair of a live one would clean that one's
//     work dir, so an overlay whose pair is in use there is refused.
// Failures are kept per entry and reported when the executor reaches the
// entry, so that the profile's error policy holds.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/overlay_mount.hpp"

namespace nsr::reconcile {

class HostSources {
  public:
    // Takes the sources of DESIRED's bind and overlay entries in the
    // calling (host) namespace. TARGET: the container's mount table (from
    // /proc/PID/mountinfo), to leave overlays already in place alone.
    static HostSources take(Kernel& kernel, const profile::MountProfile& desired,
                            const mountinfo::MountTable& target, const DebugLog& debug);

    // The copy of the bind source of the entry at DIR (a clean path), once;
    // throws what taking it threw, or std::runtime_error when there is none.
    base::Fd take_bind(const std::string& dir);
    // The overlay made for the entry at DIR and its table record, as
    // overlay_build() gives them; throws as take_bind().
    std::pair<base::Fd, mountinfo::Mount> take_overlay(const std::string& dir);

  private:
    struct Taken {
        base::Fd fd;
        mountinfo::Mount proto;  // overlays only
        std::string error;       // why there is no fd
    };
    Taken take_at(const std::string& dir);

    std::map<std::string, Taken> by_dir_;
};

}  // namespace nsr::reconcile
