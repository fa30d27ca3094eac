// Mounting one entry at its (existing) mount point, on top or, when it
// replaces a mount, beneath the old one, which is then detached: a process
// reading there sees the old content, then the new, never an empty
// directory.
#pragma once

#include <cstddef>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/change.hpp"
#include "reconcile/exec_context.hpp"
#include "reconcile/mount_points.hpp"

namespace nsr::reconcile {

// Mounts E (nothing for a kind that is no mount). With REPLACES, the new
// mount goes beneath the old one, which is then detached; where the kernel
// refuses (or tucking is off), the old one is detached first. The mounts of
// PLAN at CARRY (ChangeGroups::mounts_carried_by) are made on the new mount
// before it is attached, as far as they can be. Returns the positions of
// the ones carried. Throws std::exception naming the step, the path and the
// errno text; what it attached is detached again unless recorded in the
// view. OPENED, when given, holds the mount point and source already
// opened (MountPoints::open_existing); else they are opened here.
std::vector<size_t> mount_entry(ExecContext& ctx, const profile::MountEntry& e,
                                const profile::MountEntry* replaces,
                                const std::vector<Change>& plan, const std::vector<size_t>& carry,
                                OpenedPoints* opened = nullptr);

}  // namespace nsr::reconcile
