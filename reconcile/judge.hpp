// A plan with each change judged against what is mounted: what `plan`
// prints, what `apply --dry-run` shows and what scenario files pin.
#pragma once

#include <string>
#include <vector>

#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

// One change with needed()'s verdict on it.
struct PlannedChange {
    Change change;
    bool needed = true;
    std::string reason;  // why it is or is not needed
};

// Each of CHANGES judged by needed() against VIEW and FS; without a VIEW
// every change counts as needed, "not checked: there is no mount table".
// SOURCES: where bind sources are resolved, when not in VIEW's namespace
// (needed()).
std::vector<PlannedChange> judge(std::vector<Change> changes, MountView* view, const FsView& fs,
                                 MountView* sources = nullptr);

}  // namespace nsr::reconcile
