// The diff: current profile + desired profile (+ file facts) -> ordered
// changes. Pure and deterministic.
#pragma once

#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::reconcile {

struct PlanOptions {
    // Merge "unmount X at DIR ... mount Y at DIR" into one Replace placed
    // where the mount would be. false gives snapd's plan exactly.
    bool tuck = true;
};

// The profiles are taken by value: their entries move into the changes
// (callers that keep theirs pass copies).
std::vector<Change> plan(profile::MountProfile current, profile::MountProfile desired,
                         const FsView& fs, const PlanOptions& options = {});

}  // namespace nsr::reconcile
