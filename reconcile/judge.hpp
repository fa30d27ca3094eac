// A plan with each change judged against the mount table: what `plan`
// prints, what `apply --dry-run` shows and what scenario files pin.
#pragma once

#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::reconcile {

// One change with needed()'s verdict on it.
struct PlannedChange {
    Change change;
    bool needed = true;
    std::string reason;  // why it is or is not needed
};

// Each of CHANGES judged by needed() against TABLE and FS; without a TABLE
// every change counts as needed, "not checked: there is no mount table".
// SOURCES: where bind sources are resolved, when not in TABLE (needed()).
std::vector<PlannedChange> judge(std::vector<Change> changes, const mountinfo::MountTable* table,
                                 const FsView& fs, const mountinfo::MountTable* sources = nullptr);

}  // namespace nsr::reconcile
