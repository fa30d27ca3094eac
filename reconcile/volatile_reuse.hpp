// Mounting an overlay on an upper/work pair: that no live overlay uses the
// pair already, and, when a volatile overlay left the pair with
// WORK/work/incompat/volatile (which makes the kernel refuse every later
// mount of it), whether it is safe to remove that marker (reuse) or what to
// do when it is not (the entry's x-nsr.volatile-stale policy). Never
// deletes user data.
//
// The checks, in this order (the first that fails decides):
//   1. the pair is not in use by another overlay in the namespace (for a
//      container, in the host's either);
//   then, when the marker is there, reuse needs all of:
//   2. a record says nsreconcile mounted the pair volatile (VolatileStore);
//   3. ... in this boot (the boot id matches);
//   4. its last unmount was nsreconcile's own, after a successful syncfs
//      inside the overlay (which for a volatile overlay reports any
//      writeback error on the upper filesystem since the mount), and the
//      marker is still the one that mount made (no other volatile mount of
//      the pair since); or the run that made it was stopped before it was
//      attached (the record says Mounting, or Attaching with this marker),
//      so nothing could write through it; a record left Unmounting by a
//      run stopped at the unmount counts as its unmount;
//   5. the upper filesystem is the same: device number, statfs f_fsid and
//      the upper directory's inode;
//   6. syncfs on the upper filesystem succeeds now.
// Otherwise: refuse (the default: an error naming the directory and the
// reason, nothing changed), or quarantine (upper and work renamed to
// siblings NAME.stale-<UTC time>, new empty ones made with the same owner
// and mode, then mounted). A pair in use is refused whatever the policy.
//
// A run stopped between a record and its step leaves the record a step
// ahead or behind; the next run that finds the overlay in place sets it to
// Mounted (attached()). What that cannot correct: an overlay left mounted
// under an Attaching or Unmounting record that goes away by other means
// before the next run (its namespace discarded) reads as never attached, or
// as unmounted by nsreconcile; and a record left Mounting, whose marker is
// not known, takes a marker made by someone else's volatile mount of the
// pair before the next run for its own.
// What userspace cannot see: the overlay's own superblock instance and its
// writeback error sequence (the unmerged kernel patch would checkpoint
// those). A writeback error that happened after the syncfs before the
// unmount, or data lost in a crash of the upper filesystem's own device
// that the device's identity does not show, escape these checks.
#pragma once

#include <ctime>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/volatile_evidence.hpp"

namespace nsr::reconcile {

// What can be known about a pair right before an overlay is mounted on it.
struct VolatileFacts {
    // Mount point of a live overlay of this namespace using the upper or
    // the work dir, if any.
    std::optional<std::string> in_use_at;
    bool marker = false;  // WORK/work/incompat/volatile exists
    // When it does:
    MarkerIdentity marker_identity;
    std::optional<VolatileRecord> record;
    std::string record_problem;  // why a record file did not count, if one did not
    std::string boot_id;
    UpperIdentity identity;  // the upper directory's, now
    int sync_errno = 0;      // syncfs on the upper filesystem now: 0 or an errno
};

struct VolatileVerdict {
    enum class Action { Mount, Reuse, Refuse, Quarantine };
    Action action = Action::Mount;
    // The check that decided ("in use", "marker", "record", "boot",
    // "unmount", "identity", "syncfs", "all checks").
    std::string check;
    std::string reason;  // one line, for the log and for errors
};

std::string_view volatile_action_name(VolatileVerdict::Action a);

// The decision, from FACTS alone (a pure function).
VolatileVerdict volatile_reuse_decide(const VolatileFacts& facts, profile::VolatileStale policy);

// An overlay that may not be mounted (its pair in use, or left by a
// volatile overlay under policy refuse). what() names the mount point, the
// upper dir and the reason.
class VolatileStaleError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Where a live overlay uses the directory UPPER or WORK (clean paths), if
// one does: its mount point.
using PairUser =
    std::function<std::optional<std::string>(const std::string& upper, const std::string& work)>;

// The mount point of an overlay of TABLE whose upperdir is UPPER or whose
// workdir is WORK, if there is one.
std::optional<std::string> pair_user_in(const mountinfo::MountTable& table,
                                        const std::string& upper, const std::string& work);

// The calls the executor makes around an overlay with an upper dir; one per
// run. The store and the boot id are taken on the host side before setns.
class VolatileGuard {
  public:
    using Clock = std::function<std::time_t()>;
    using DebugLog = std::function<void(const std::string&)>;

    VolatileGuard(Kernel& kernel, SecureFs& sfs, VolatileStore& store, std::string boot_id,
                  Clock clock, DebugLog debug);

    // Before mounting the overlay SPEC (with an upper dir) at DIR; IN_USE
    // finds a live overlay using its upper or work dir. Leaves the pair
    // ready to mount (nothing to do, the marker removed, or the old pair set
    // aside) and, when SPEC is volatile or the marker is removed, recorded
    // as Mounting; logs the verdict and the check that decided, and returns
    // it.
    // Throws VolatileStaleError when it is refused, and std::system_error
    // when a step fails (a quarantine undone as far as it went).
    VolatileVerdict prepare(const profile::OverlaySpec& spec, const std::string& dir,
                            const PairUser& in_use);
    // The records of a volatile overlay's life (VolatileState), each
    // written before the step it names, so that a run killed anywhere leaves
    // one the next run can read (prepare() writes Mounting). All throw
    // std::system_error.
    // Right after the overlay SPEC was made, before it is attached (before
    // anyone can write to it): a volatile one's mount is recorded with its
    // marker; another's drops the pair's record (it makes no marker). The
    // overlay must not be attached when this throws, or its pair could
    // later be reused on an old record.
    void mounted(const profile::OverlaySpec& spec);
    // Once it is attached, and whenever a run finds it in place: a record
    // left between two steps by a killed run then says it is mounted.
    void attached(const profile::OverlaySpec& spec);
    // Before unmounting (or replacing) the overlay whose root is open at
    // ROOT: syncfs inside it. Returns 0 or the errno, for unmounting() and
    // unmounted().
    int sync_inside(const base::Fd& root);
    // Right before nsreconcile unmounts the volatile overlay SPEC (not
    // lazily), and right after, SYNC_ERRNO from sync_inside().
    void unmounting(const profile::OverlaySpec& spec, int sync_errno);
    void unmounted(const profile::OverlaySpec& spec, int sync_errno);

    // The facts prepare() decides on (exposed for tests).
    VolatileFacts facts(const profile::OverlaySpec& spec, const PairUser& in_use);

  private:
    UpperIdentity upper_identity(const profile::OverlaySpec& spec);
    void mounting(const profile::OverlaySpec& spec);
    void remove_marker(const std::string& work);
    void quarantine(const profile::OverlaySpec& spec);

    Kernel& k_;
    SecureFs& sfs_;
    VolatileStore& store_;
    std::string boot_id_;
    Clock clock_;
    DebugLog debug_;
};

}  // namespace nsr::reconcile
