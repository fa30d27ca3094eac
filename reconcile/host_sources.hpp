// The sources of a profile's mounts in a container's mount namespace
// (apply --pid PID), whose bind sources and overlay layers are host paths
// that its root does not show:
//   - a bind's source is opened with the symlink-refusing walk and copied
//     (open_tree OPEN_TREE_CLONE, recursive for rbind) before entering; the
//     copy survives setns and gets its flags and its place inside
//     afterwards;
//   - an overlay is built when the executor reaches it, on the host side:
//     the process steps out to its own mount namespace, checks the
//     upper/work pair, builds the overlay there (the kernel refuses an upper
//     layer outside the namespace of the process that creates the overlay:
//     "failed to clone upperpath") and comes back with it to attach it. It is
//     built in plan order, so an overlay that keeps the upper or work dir of
//     one the plan unmounts is built after that unmount, as in any other
//     namespace.
// Failures to copy a bind source are kept per entry and reported when the
// executor reaches the entry, so that the profile's error policy holds.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/overlay_mount.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/volatile_reuse.hpp"

namespace nsr::reconcile {

class HostSources {
  public:
    // Runs BODY in the host's mount namespace and comes back into the
    // container's; what BODY throws is thrown once back.
    using OnHost = std::function<void(const std::function<void()>& body)>;

    // Copies the sources of DESIRED's bind entries in the calling (host)
    // namespace. PID: the container's process; ON_HOST: the way out and
    // back for overlays.
    static HostSources take(Kernel& kernel, const profile::MountProfile& desired, pid_t pid,
                            OnHost on_host, const DebugLog& debug);

    // The copy of the bind source of the entry at DIR (a clean path), once;
    // throws what taking it threw, or std::runtime_error when there is none.
    base::Fd take_bind(const std::string& dir);
    // ENTRY's overlay, built on the host side as overlay_build_guarded()
    // builds it (SFS then resolves host paths), the pair checked as in use
    // when an overlay of the container's or of the host's mount table uses
    // it. Throws as overlay_build_guarded().
    std::pair<base::Fd, mountinfo::Mount> build_overlay(Kernel& kernel, SecureFs& sfs,
                                                        const profile::MountEntry& entry,
                                                        unsigned long ms_flags,
                                                        VolatileGuard* guard,
                                                        const DebugLog& debug);

  private:
    struct Taken {
        base::Fd fd;
        std::string error;  // why there is no fd
    };

    std::map<std::string, Taken> by_dir_;
    pid_t pid_ = 0;
    OnHost on_host_;
};

}  // namespace nsr::reconcile
