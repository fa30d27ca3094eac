// The executor's steps around an overlay with an upper dir, so that two
// live overlays never share an upper/work pair and a volatile overlay's
// pair can be mounted again when that is safe (reconcile/volatile_reuse.hpp;
// README "Volatile overlays"):
//   - before one is mounted, the run's VolatileGuard checks the pair
//     (prepare(), which records a volatile one as being mounted), records
//     it right after it is made, before anyone can write to it
//     (mounted()), and once it is attached or found in place (attached());
//   - before one is unmounted, syncfs runs on an fd inside it (for a
//     volatile overlay this reports any writeback error on the upper
//     filesystem since the mount; for another it writes the upper
//     filesystem out), a volatile one's record says so (unmounting()), and
//     it is unmounted for real, not lazily: only then is its superblock
//     known to be gone, and a volatile one's record completed
//     (unmounted()).
// The plan makes the rest hold: an overlay with an upper never leaves with
// another change's detach (ChangeGroups), and a replacement that keeps the
// upper or work dir is an unmount right before a mount, not a mount beneath
// (reconcile/plan.hpp).
#pragma once

#include <string>

#include "base/fd.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/exec_context.hpp"
#include "reconcile/mount_builder.hpp"

namespace nsr::reconcile {

// E's overlay (type overlay) built detached with MS_FLAGS, after the run's
// VolatileGuard checked its pair, and recorded when it is volatile
// (overlay_build_guarded()); in a container's namespace it is built on the
// host side (HostSources::build_overlay). Throws what those throw
// (VolatileStaleError for a refused pair).
BuiltMount overlay_build_checked(ExecContext& ctx, const profile::MountEntry& e,
                                 unsigned long ms_flags);

// Before the overlay of E, whose root is open at ROOT, is unmounted:
// syncfs inside it when it has an upper dir, and a volatile one's record
// says it is being unmounted. Returns 0 or the errno, which the debug log
// also gets; 0 for any other entry. Throws std::system_error when the
// record cannot be written.
int overlay_sync_before_unmount(ExecContext& ctx, const profile::MountEntry& e,
                                const base::Fd& root);

// The volatile overlay of E is attached, found in place, or still there
// after an unmount that failed: its record says mounted (a killed run may
// have left it a step ahead or behind). Nothing for any other entry.
// Throws std::system_error when the record cannot be written.
void overlay_in_place(ExecContext& ctx, const profile::MountEntry& e);

// After the overlay of E was unmounted, not lazily: a volatile one's record
// is completed with SYNC_ERRNO (overlay_sync_before_unmount()'s). Throws
// std::system_error when the record cannot be written.
void overlay_unmounted(ExecContext& ctx, const profile::MountEntry& e, int sync_errno);

// For a replacement: takes down the mount at DIR, open at TARGET, that
// REPLACED (may be null) describes: onto the run's pile
// (reconcile/pile.hpp), where there is one and it takes it, else lazily
// (MountOps::detach). Except a volatile overlay: that one is synced and
// unmounted for real, so that its pair can be reused later; when the
// kernel refuses (it is busy, or has mounts on it), it is detached lazily
// too, and its unmount is not recorded as clean. Returns 0 or -errno.
// TARGET may be closed, and is open again at DIR when the result is not 0.
int replaced_detach(ExecContext& ctx, base::Fd& target, const std::string& dir,
                    const profile::MountEntry* replaced);

// The volatile overlay of E, made as TREE, is dropped without having been
// attached: nobody could write to it, so it ends clean (synced, recorded).
// Nothing for any other entry. Never throws: it is called on the way out of
// a failure, whose error is the one to report; a failure here is logged and
// leaves the record saying mounted, which only makes the next mount of the
// pair fall under its policy.
void overlay_discarded(ExecContext& ctx, const profile::MountEntry& e,
                       const base::Fd& tree) noexcept;

}  // namespace nsr::reconcile
