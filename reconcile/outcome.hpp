// What became of one change of a plan when the executor ran it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/change.hpp"

namespace nsr::reconcile {

enum class Status { Done, AlreadyDone, Failed, Skipped };
std::string_view status_name(Status s);  // "done", "already done", "failed", "skipped"

struct Outcome {
    // The change of the plan it is the outcome of (Result::plan holds it).
    const Change* change = nullptr;
    Status status = Status::Done;
    std::string detail;  // why it was already done / skipped, or the error
    // Mimic entries this change made (recorded even when it then failed).
    std::vector<profile::MountEntry> synthesized;
    // For a change that did not succeed: the mount it was to keep, unmount
    // or replace is still in place at the end of the run, as far as the
    // executor could tell (when it could not, it presumes so).
    bool remains = false;
};

}  // namespace nsr::reconcile
