// One update of one namespace, end to end, for any context
// (reconcile/update_context.hpp): lock, read both profiles, enter the
// namespace, plan, then either judge the plan (plan_update) or apply it and
// save what is in place (apply_update). What is mounted is asked of the
// kernel path by path where it can tell (reconcile/mount_state.hpp).
// snapd's executeMountProfileUpdate in cmd/snap-update-ns/update.go is the
// model; what differs from it is in the README ("Differences from
// snap-update-ns").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reconcile/executor.hpp"
#include "reconcile/judge.hpp"
#include "reconcile/mount_state.hpp"
#include "reconcile/update_context.hpp"
#include "reconcile/volatile_evidence.hpp"

namespace nsr::reconcile {

struct UpdateOptions {
    // See ExecOptions::tuck and PlanOptions::tuck.
    bool tuck = true;
    // Run right before the first change and right after the last one, and
    // only when some change is planned (the command line's cgroup freezer).
    std::function<void()> before_changes;
    std::function<void()> after_changes;
    // Debug log lines; may be empty.
    std::function<void(const std::string&)> debug;
    // Where what is mounted is learnt, unless the context read the table
    // itself (a container's): the kernel asked about each path where it can
    // tell everything, or a read of the whole mountinfo.
    MountSource mount_source = MountSource::Auto;
    // Where the evidence of volatile overlays is kept (absolute, clean):
    // opened on the host side, and made only when a record is first
    // written (reconcile/volatile_evidence.hpp).
    std::string volatile_store = kVolatileStoreDir;
    // See ExecOptions::reasons.
    bool reasons = true;
};

// The plan, each change judged against what is mounted; nothing is
// changed and nothing is saved. Nothing when the context has no namespace
// to enter. Throws what the context throws (base::InputError for a bad
// profile, LockTimeout, std::system_error).
std::optional<std::vector<PlannedChange>> plan_update(UpdateContext& ctx,
                                                      const UpdateOptions& options);

// Applies the plan with snapd's error policy and saves the new current
// profile, also after a fatal error (Result::fatal). Nothing when the
// context has no namespace to enter. Throws as plan_update.
std::optional<Result> apply_update(UpdateContext& ctx, const UpdateOptions& options);

}  // namespace nsr::reconcile
