// Where a run starts when an earlier one may have been killed, or its
// current profile lost: the current profile (the journal's saved entries
// when the file is gone), plus what the journal's claims say an earlier
// run made and the kernel shows (reconcile/journal.hpp). Nothing is
// believed on the journal's word alone: a claim whose mount is not there
// (the run was killed before attaching it) is dropped.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/journal.hpp"
#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

struct Recovered {
    // The current profile to plan from, in log order: what was there
    // before, then what the claims add (a mimic's entries, a mount), a
    // replacement's new entry in the place of its old one.
    profile::MountProfile current;
    // Replacements still half done (the new mount beneath the old one)
    // after recover(): the journal keeps them.
    std::vector<Claim> pending;
};

// Detaches the mount on top at DIR (the old mount of a replacement whose
// new mount lies right beneath it); false when it cannot.
using CompleteReplace = std::function<bool(const std::string& dir)>;

// CURRENT is the current profile; CURRENT_LOST: its file was not there
// (then the journal's saved entries stand in for it). A replacement found
// half done is completed with COMPLETE (empty: left as it is, as a plan
// does). VIEW and FS tell what is there; SOURCES where bind sources are
// resolved (nullptr: VIEW). Throws std::system_error when the view cannot
// tell what is mounted.
Recovered recover(profile::MountProfile current, bool current_lost, const Journal& journal,
                  MountView& view, const FsView& fs, MountView* sources,
                  const CompleteReplace& complete,
                  const std::function<void(const std::string&)>& debug);

}  // namespace nsr::reconcile
