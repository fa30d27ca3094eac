// The pile: where a run puts the old mounts its replacements take down, so
// that one lazy unmount at the end takes them all. Every umount(2) that
// unmounts something waits for an RCU grace period (tens of microseconds);
// a refresh of N entries paid N of them. Here each old mount is moved
// (move_mount(2)) onto a private tmpfs attached at a directory of the
// tool's own in the namespace, which reveals the new mount tucked beneath
// it exactly as a detach would, and the tmpfs is detached with everything
// on it once: one grace period per run. A busy old mount lives on for its
// users, as after a lazy detach.
//
// The tmpfs must be attached (the kernel refuses to move an attached mount
// into a detached tree), and its root must never be overmounted (an
// unmount through the fd's /proc path would take the mount on top
// instead): the old mounts go onto directories and files in it. Where its
// parent mount is shared, attaching it would propagate it to the peers
// (possibly the host's): the pile is not used there, nor where the kernel
// cannot tell (before statmount(2), Linux 6.8).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/fd.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_ops.hpp"

namespace nsr::reconcile {

// The name of the pile's mount point for the namespace whose current
// profile is CURRENT (a path): hidden, and one per namespace, in the
// directory of CURRENT.
std::string pile_name(const std::string& current);
// Its path: pile_name() in CURRENT's directory.
std::string pile_mount_point(const std::string& current);

// Where a pile may be attached: the directory DIR (open, in the namespace
// being updated), the name of the pile's mount point in it, and the
// directory's path there (for messages and Pile::near()).
struct PileDir {
    base::Fd dir;
    std::string name;
    std::string path;
    explicit operator bool() const { return static_cast<bool>(dir); }
};

class Pile {
  public:
    // The pile is made at the first take(). DEBUG (may be empty) hears why
    // it is not used, and what clear_leftover() finds.
    Pile(Kernel& kernel, PileDir where, std::function<void(const std::string&)> debug);
    // Flushes what is still piled (errors go to DEBUG).
    ~Pile();
    Pile(const Pile&) = delete;
    Pile& operator=(const Pile&) = delete;

    // Detaches, lazily, a pile that a killed run left attached (it holds
    // only old mounts already replaced), and removes its mount point. To be
    // called under the namespace's lock, before anything else changes.
    // Throws std::system_error naming the path when it cannot.
    void clear_leftover();

    // Moves the mount open at TOP (the mount on top at its mount point; a
    // directory, or a file when FILE) onto the pile. False when it stays
    // where it is: the pile cannot be made here (said once on DEBUG, and
    // not tried again), or the kernel refuses this move (e.g. TOP's parent
    // is shared): the caller detaches it then.
    bool take(const base::Fd& top, bool file);

    // Whether a change at PATH (absolute, clean) could reach the pile's
    // mount point: PATH is it, above it or below it.
    bool near(std::string_view path) const;

    // Detaches the pile with everything on it (made private first, as
    // MountOps::detach does) and removes its mount point. Nothing when
    // nothing was piled. Throws std::system_error naming the path.
    void flush();

    // The path of the pile's mount point.
    const std::string& mount_point() const { return mount_point_; }

  private:
    // Makes and attaches the tmpfs; "" or why the pile cannot be used.
    std::string make();
    void debug(const std::string& line) const {
        if (debug_)
            debug_(line);
    }

    Kernel& k_;
    MountOps ops_;
    PileDir where_;
    // Made once: near() asks for every change of a plan.
    std::string mount_point_;
    std::function<void(const std::string&)> debug_;
    base::Fd tmpfs_;        // attached at the mount point once made
    bool refused_ = false;  // make() failed: no pile this run
    bool made_dir_ = false;
    // Old mounts piled, of directories and of files.
    unsigned dirs_ = 0;
    unsigned files_ = 0;
};

}  // namespace nsr::reconcile
