// Writable mimics: a tmpfs over a read-only (or protected) directory, with
// the directory's original entries bound back in, so that new mount points
// can be made there without writing to what lies beneath.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/journal.hpp"
#include "reconcile/mount_ops.hpp"
#include "reconcile/mount_view.hpp"
#include "reconcile/secure_fs.hpp"

namespace nsr::reconcile {

struct MimicContext {
    MountOps& ops;
    SecureFs& fs;
    MountView& view;
    // Build the whole mimic detached and attach it in one move (no moment
    // where DIR looks empty); false uses the attach-then-fill order.
    bool tuck = true;
    std::function<void(const std::string&)> debug;
    // Hears of the mimic right before its tmpfs is attached; may be nullptr.
    Journal* journal = nullptr;
};

// Builds a mimic over DIR for the entry whose id is NEEDED_BY. Returns the
// synthetic entries to record (the tmpfs first, then the bind-backs, as
// snapd writes them). On failure, undoes what it made and throws.
std::vector<profile::MountEntry> build_mimic(MimicContext& ctx, const std::string& dir,
                                             const std::string& needed_by);

}  // namespace nsr::reconcile
