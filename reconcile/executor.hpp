// Applies a plan to the namespace the process is in, with snapd's error
// policy, checking every change against what is mounted there first.
#pragma once

#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/change.hpp"
#include "reconcile/exec_context.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_view.hpp"
#include "reconcile/outcome.hpp"

namespace nsr::reconcile {

// Moved, never copied: the outcomes point into the plan.
struct Result {
    Result() = default;
    Result(Result&&) = default;
    Result& operator=(Result&&) = default;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;

    // The changes run, in order.
    std::vector<Change> plan;
    // What became of each, for a prefix of the plan (all of it unless a
    // fatal failure stopped the run).
    std::vector<Outcome> outcomes;
    // A layout or overname change failed: the run stopped there.
    bool fatal = false;
    // What is really in place now (in_place(), in new_current.hpp): the
    // entries by pointer into the plan and the outcomes, so that the run
    // holds no copy of them.
    std::vector<const profile::MountEntry*> in_place;
    // The same as a current profile, copied.
    profile::MountProfile new_current() const;
};

class Executor {
  public:
    // VIEW tells what is mounted and learns what the run changes; all of
    // them must outlive the executor.
    Executor(Kernel& kernel, MountView& view, const FsView& fs, Assumptions& assumptions,
             ExecOptions options);

    // Runs CHANGES in order: each one is checked with needed() first, then
    // made. A failed change is reported in its outcome; a failed layout or
    // overname change stops there. Throws nothing for a change's failure.
    // The changes move into the result's plan (callers that keep theirs
    // pass a copy).
    Result execute(std::vector<Change> changes);

  private:
    Kernel& kernel_;
    MountView& view_;
    const FsView& fs_;
    Assumptions& assumptions_;
    ExecOptions options_;
};

}  // namespace nsr::reconcile
