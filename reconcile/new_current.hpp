// The new current profile of a run: what is really in place after the
// executor ran a plan, worked out from the plan and the outcomes alone (no
// kernel, no file system), so that it can be tested without root.
#pragma once

#include <cstddef>
#include <set>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/change.hpp"
#include "reconcile/outcome.hpp"

namespace nsr::reconcile {

// PLAN is what was run; OUTCOMES[i] is what became of PLAN[i] (its status
// and what it synthesized; PLAN[i] is read, not its change pointer), for a
// prefix of the plan (the run stops after a fatal failure: the changes after it were not
// reached). CARRIED holds the positions of changes carried out
// together with an earlier one (ChangeGroups), which count as done even
// when the run stopped before reaching them.
//
// The result, in log order: the entries in place before the run that are
// still in place (kept entries, failed unmounts and failed replacements
// whose mount remains, and every not-reached keep, unmount and replaced
// entry), then what the run added (the mimic entries changes synthesized
// and the entries it mounted), each with line 0. Unlike snapd, the kept
// entries stay in log order (README "Differences from snap-update-ns").
//
// in_place() gives the entries by pointer, into PLAN and the outcomes'
// synthesized entries (their line numbers as they are);
// build_new_current() copies them into a profile.
std::vector<const profile::MountEntry*> in_place(const std::vector<Change>& plan,
                                                 const std::vector<Outcome>& outcomes,
                                                 const std::set<size_t>& carried);
profile::MountProfile build_new_current(const std::vector<Change>& plan,
                                        const std::vector<Outcome>& outcomes,
                                        const std::set<size_t>& carried);

// A copy of ENTRIES, each with line 0.
profile::MountProfile copy_profile(const std::vector<const profile::MountEntry*>& entries);

}  // namespace nsr::reconcile
