// The orders a plan is made in (plan.hpp R2, R5, R8-R10): entries by origin
// and mount point, the test whether a mount point exists as its kind needs
// it, and the mount block's order. Pure functions of the entries and the
// file facts (FsView); they return positions in the vector given and
// throw nothing but std::bad_alloc.
#pragma once

#include <string>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::reconcile {

// R2 (snapd's byOriginAndMountPoint): overname, then everything else, then
// layouts; by mount point within a rank, comparing paths as if each ended
// in "/". Stable.
std::vector<size_t> order_by_origin_and_dir(const std::vector<profile::MountEntry>& v);

// R5 (snapd's byOvernameAndMountPoint): overname first, then by mount point.
std::vector<size_t> order_by_overname_and_dir(const std::vector<profile::MountEntry>& v);

// R8.2: does E's mount point already exist in the form the mount needs (a
// directory through stat, a file as anything, a symlink through lstat,
// other kinds always)?
bool target_exists(const profile::MountEntry& e, const FsView& fs);

// Is DIR the last of its ancestors? "/", or "." for a relative path (which
// only the unvalidated inputs of a scenario or a current profile hold).
bool is_top(const std::string& dir);

// The directory a writable mimic would go over: the nearest existing
// directory at or above DIR.
std::string nearest_existing_dir(std::string dir, const FsView& fs);

// R8-R10: the mount block. Overname entries and entries whose mount point
// exists come first, by origin and dir; then, per mimic directory in plain
// string order, the entries that will need that mimic. NOT_REUSED holds
// positions in V; the result too, in mount order.
std::vector<size_t> mount_order(const std::vector<profile::MountEntry>& v,
                                const std::vector<size_t>& not_reused, const FsView& fs);

}  // namespace nsr::reconcile
