// Is a planned change still needed, judged from what is mounted (the live
// namespace, or a snapshot of its mount table) and file facts rather than
// from the (possibly stale) current profile?
#pragma once

#include <string>

#include "mountinfo/mount_table.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

struct Verdict {
    bool needed;
    std::string reason;  // one line: why it is or is not needed
};

// How much a verdict must say. Brief: the reason for a needed mount or
// replacement may be shorter than the full one (what is mounted instead),
// which costs reading the mount in full; the executor, which shows no
// reason for a change it makes, asks for that. Quiet: as Full, but a bind
// found in place may be given no reason, for a run that shows none.
enum class Detail { Full, Brief, Quiet };

// SOURCES: where bind sources are resolved, when they live in another
// namespace than VIEW's (a container's, whose sources are the host's);
// nullptr: VIEW. The mounts below a bind are not compared, so a
// replacement between bind and rbind of one source is always needed, and
// so is one of an rbind by itself (the plan makes one only when the mounts
// below its source changed, H2 in plan.hpp). Throws std::system_error when
// a view cannot tell what is mounted.
Verdict needed(const Change& change, MountView& view, const FsView& fs,
               MountView* sources = nullptr, Detail detail = Detail::Full);

// Whether mount M, wherever it sits in a stack, shows ENTRY (a mount-kind
// entry: a bind of its source, or its filesystem), by the rules of needed().
bool shows_entry(const profile::MountEntry& entry, const mountinfo::Mount& m, MountView& view,
                 MountView* sources = nullptr);

}  // namespace nsr::reconcile
