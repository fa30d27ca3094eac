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

// SOURCES: the table bind sources are resolved in, when they live in
// another namespace than TABLE's (a container's, whose sources are the
// host's); nullptr: TABLE.
Verdict needed(const Change& change, const mountinfo::MountTable& table, const FsView& fs,
               const mountinfo::MountTable* sources = nullptr);

// Whether mount M, wherever it sits in a stack, shows ENTRY (a mount-kind
// entry: a bind of its source, or its filesystem), by the rules of needed().
bool shows_entry(const profile::MountEntry& entry, const mountinfo::Mount& m,
                 const mountinfo::MountTable& table,
                 const mountinfo::MountTable* sources = nullptr);

}  // namespace nsr::reconcile
