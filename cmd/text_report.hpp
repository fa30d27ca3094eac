// The compact text form of plans, apply outcomes and drift reports, for a
// person at a terminal: one line per change with a marker, the entry
// shortened to what a reader needs, unchanged entries folded into a count,
// and a summary line. The reasons behind each verdict are not printed here:
// they go to the debug log (reason_lines) and to the JSON output.
//
// Markers: '+' mount, '-' unmount, '~' replace, '!' an entry that was
// missing and is (or would be) mounted again, 'x' failed, '?' skipped
// (x-snapd.ignore-missing), ' ' unchanged or already done (only with
// TextStyle::all). In check's report '-' is missing, '~' differs and '+' an
// extra mount.
#pragma once

#include <string>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/drift.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/judge.hpp"

namespace nsr::cmd {

struct TextStyle {
    bool all = false;     // list unchanged and already-done entries too
    bool colour = false;  // ANSI colours on the markers
};

// True when FD is a terminal and NO_COLOR is unset or empty (no-color.org)
// and TERM is not "dumb".
bool colour_wanted(int fd);

// "SRC -> DIR (bind, ro)", "TARGET -> DIR (symlink)", "DIR (ensure-dir)":
// the entry without the bookkeeping options (x-snapd.detach, x-snapd.id,
// x-snapd.needed-by, x-snapd.synthetic), fields escaped as in a profile so
// that one entry stays one line.
std::string entry_brief(const profile::MountEntry& e);

// NOW replacing OLD at the same mount point: NOW's "SRC -> DIR" and what
// differs from OLD ("was OLDSRC", "+ro", "-rw", ...).
std::string replace_brief(const profile::MountEntry& now, const profile::MountEntry& old);

// A plan. CHECKED: needed() judged each change against a mount table (a
// scenario without one has every change "not checked", and its kept entries
// are then unchanged, not missing).
std::string plan_text(const std::vector<reconcile::PlannedChange>& changes, bool checked,
                      const TextStyle& style);

// What apply did, the mimics it built included.
std::string outcomes_text(const std::vector<reconcile::Outcome>& outcomes, const TextStyle& style);

// One line per finding of check, then "in step: N entries checked" or
// "drifted: ...".
std::string drift_text(const reconcile::DriftReport& report, const TextStyle& style);

// "ACTION ENTRY: needed: REASON" / "...: already done: REASON", one line a
// change, for the debug log.
std::vector<std::string> reason_lines(const std::vector<reconcile::PlannedChange>& changes);
// "ACTION ENTRY: OUTCOME[: DETAIL]", one line a change, for the debug log.
std::vector<std::string> reason_lines(const std::vector<reconcile::Outcome>& outcomes);

}  // namespace nsr::cmd
