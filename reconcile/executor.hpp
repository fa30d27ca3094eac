// Applies a plan to the namespace the process is in, with snapd's error
// policy, checking every change against the live mount table first.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/host_sources.hpp"
#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

enum class Status { Done, AlreadyDone, Failed, Skipped };
std::string_view status_name(Status s);  // "done", "already done", "failed", "skipped"

struct Outcome {
    Change change;
    Status status = Status::Done;
    std::string detail;  // why it was already done / skipped, or the error
    // Mimic entries this change made (recorded even when it then failed).
    std::vector<profile::MountEntry> synthesized;
};

struct ExecOptions {
    // No empty window: a replacement is attached beneath the old mount,
    // with the later mounts below it already on it; a mimic is built
    // detached and attached in one move; a tmpfs is detached with what is
    // in it rather than emptied first. False: snapd's order.
    bool tuck = true;
    // Owner of directories made for ensure-dir entries.
    uid_t uid = 0;
    gid_t gid = 0;
    // Debug log lines (the why of every fallback); may be empty.
    std::function<void(const std::string&)> debug;
    // A container's namespace (apply --pid): the bind copies and overlays
    // taken on the host before setns, used instead of opening sources here,
    // and the host's mount table, where bind sources are resolved.
    HostSources* host_sources = nullptr;
    const mountinfo::MountTable* source_table = nullptr;
};

struct Result {
    std::vector<Outcome> outcomes;
    // A layout or overname change failed: the run stopped there.
    bool fatal = false;
    // What is really in place now, as a current profile.
    profile::MountProfile new_current;
};

class Executor {
  public:
    Executor(Kernel& kernel, mountinfo::MountTable& table, const FsView& fs,
             Assumptions& assumptions, ExecOptions options);

    Result execute(const std::vector<Change>& changes);

  private:
    struct Impl;
    Kernel& kernel_;
    mountinfo::MountTable& table_;
    const FsView& fs_;
    Assumptions& assumptions_;
    ExecOptions options_;
};

}  // namespace nsr::reconcile
