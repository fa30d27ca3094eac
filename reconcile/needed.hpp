// Is a planned change still needed, judged from the live mount table and
// file facts rather than from the (possibly stale) current profile?
#pragma once

#include <string>

#include "mountinfo/mount_table.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::reconcile {

struct Verdict {
    bool needed;
    std::string reason;  // one line: why it is or is not needed
};

Verdict needed(const Change& change, const mountinfo::MountTable& table, const FsView& fs);

// Whether mount M, wherever it sits in a stack, shows ENTRY (a mount-kind
// entry: a bind of its source, or its filesystem), by the rules of needed().
bool shows_entry(const profile::MountEntry& entry, const mountinfo::Mount& m,
                 const mountinfo::MountTable& table);

}  // namespace nsr::reconcile
