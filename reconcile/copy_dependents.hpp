// H2 of plan.hpp: which kept entries a run must make again because a
// change it makes (an rbind, a mimic) copies what is mounted below a
// directory, or because what a kept rbind or mimic copied changed. Pure:
// a function of the two profiles, what plan() keeps of them and the file
// facts; throws nothing but std::bad_alloc.
#pragma once

#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/reuse_key.hpp"

namespace nsr::reconcile {

// The kept entries a run must unmount and mount again so that the
// namespace ends as a fresh apply of DESIRED leaves it. Two changes copy
// what is mounted below a directory at the moment they are made:
// - an rbind copies what is mounted at and below its source;
// - a mimic binds back the entries of the directory it covers recursively,
//   with what is mounted below them; a desired mount point that is missing
//   may need one over the nearest existing directory above it (R8.3), the
//   same directory a fresh apply would find (FS is the fresh namespace's
//   view, PristineFsView).
// A fresh apply makes such a change in ORDER (mount_order() of all of
// DESIRED): it copies the entries made before it, not those made after.
// When a run makes it, the kept entries below its directory that a fresh
// apply makes after it (desired entries by their own position, a mimic's
// synthetic entries by their owner's) are returned: they come down before
// it and are mounted again after it. Only mimics (synthetic entries) count
// below a new mimic's directory: other entries there either need the same
// mimic, so they are not in place without it, or lie in a writable
// directory, where no mimic is made. Keys are views of the entries'
// strings.
// KEEP_CURRENT and KEEP_DESIRED: what plan() would keep of each
// (parallel to CURRENT and DESIRED); ORDER: mount_order() of all of DESIRED.
KeySet copy_dependents(const std::vector<profile::MountEntry>& current,
                       const std::vector<bool>& keep_current,
                       const std::vector<profile::MountEntry>& desired,
                       const std::vector<bool>& keep_desired, const std::vector<size_t>& order,
                       const FsView& fs);

}  // namespace nsr::reconcile
