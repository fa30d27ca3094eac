// Unmounting one entry: its mount (or symlink) goes, and the empty
// directory or file left at its mount point with it, with snapd's
// tolerances.
#pragma once

#include <string>

#include "profile/mount_entry.hpp"
#include "reconcile/exec_context.hpp"

namespace nsr::reconcile {

// Detaches the mount at E's mount point (lazily for x-snapd.detach
// entries), or removes E's symlink; nothing for ensure-dir entries and
// unknown kinds, nor when the mount point itself is gone. Then removes the
// placeholder left there (remove_placeholder()). Throws std::system_error
// naming the step and the path.
void unmount_entry(ExecContext& ctx, const profile::MountEntry& e);

// Unmounts the mount at DIR (absolute and clean), not lazily, through the
// fd of DIR's parent opened with the symlink-refusing walk: no directory
// above DIR can be swapped for a symlink in between (MountOps::unmount).
// The caller must hold no fd of the mount, which would keep it busy.
// 0 or -errno.
int unmount_through_parent(ExecContext& ctx, const std::string& dir);

// Removes the directory or file at E's mount point when the tool made it
// (the journal says so) and it is empty, then the empty directories above
// it that the tool made on the way; a squashfs, a non-empty directory or
// file, or a busy one stays. Throws std::system_error naming the path.
void remove_placeholder(ExecContext& ctx, const profile::MountEntry& e);

}  // namespace nsr::reconcile
