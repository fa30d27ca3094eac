// Mounts carried by a replacement: the later mounts of the plan below a
// replaced mount point, made on the new mount while it is still detached,
// so that they appear together with it instead of after the replaced mount
// took the old ones away.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "reconcile/change.hpp"
#include "reconcile/exec_context.hpp"

namespace nsr::reconcile {

struct Carried {
    size_t index;            // in the plan
    base::Fd tree;           // the mount, on the detached new mount
    mountinfo::Mount proto;  // its record once the new mount is attached
};

// Makes the mounts of PLAN at the positions CANDIDATES (in plan order; see
// ChangeGroups::mounts_carried_by) on TREE, the detached new mount for DIR,
// up to the first one that cannot go (its source or mount point is missing
// or of another type, or the kernel refuses): that one and the rest are made
// after the replacement, as usual, and the debug log says why.
std::vector<Carried> carry_mounts(ExecContext& ctx, const std::vector<Change>& plan,
                                  const std::vector<size_t>& candidates, const base::Fd& tree,
                                  const std::string& dir);

}  // namespace nsr::reconcile
