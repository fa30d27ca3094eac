#include "reconcile/executor.hpp"

#include <map>
#include <set>
#include <stdexcept>

#include "base/path.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/change_groups.hpp"
#include "reconcile/entry_mount.hpp"
#include "reconcile/entry_unmount.hpp"
#include "reconcile/mount_points.hpp"
#include "reconcile/needed.hpp"
#include "reconcile/new_current.hpp"
#include "reconcile/overlay_exec.hpp"

namespace nsr::reconcile {

using base::clean_path;
using profile::MountEntry;
using profile::Origin;

namespace {

// Plan positions carried out together with an earlier change, with the
// detail to report for them.
using DoneWith = std::map<size_t, std::string>;

bool is_fatal(const MountEntry& e) {
    auto o = profile::origin(e);
    return o == Origin::Layout || o == Origin::Overname;
}

// Whether what C unmounts (an Unmount's entry, a Replace's old entry) is
// still mounted. When that cannot be read, it presumably is.
bool still_mounted(ExecContext& ctx, const MountEntry& entry) {
    try {
        return needed({Action::Unmount, entry, std::nullopt}, ctx.view, ctx.fs, ctx.sources())
            .needed;
    } catch (const std::exception& err) {
        ctx.debug("cannot tell whether " + entry.to_string() + " is still mounted (" + err.what() +
                  "); presuming it is");
        return true;
    }
}

// The old mount a replacement really has to take down: none when the old
// entry is not what is mounted there any more.
const MountEntry* replaced(ExecContext& ctx, const Change& c) {
    if (c.action != Action::Replace || !c.replaces)
        return nullptr;
    if (!needed({Action::Unmount, *c.replaces, std::nullopt}, ctx.view, ctx.fs, ctx.sources())
             .needed)
        return nullptr;
    return &*c.replaces;
}

// Unmounts of what lies in a tmpfs, right before the tmpfs's own unmount
// (at LAST): one by one, a reader would see the tmpfs emptied step by step.
// Detaching the tmpfs first (at FIRST, the first of them) takes them all at
// once, and the original directory shows again in one step.
void unmount_tmpfs_whole(ExecContext& ctx, const std::vector<Change>& plan, size_t first,
                         size_t last, DoneWith& done_with) {
    const Change& t = plan[last];
    const std::string dir = clean_path(t.entry.dir);
    std::vector<size_t> leaving;
    try {
        if (!needed(t, ctx.view, ctx.fs, ctx.sources()).needed)
            return;
        for (size_t i = first; i < last; ++i) {
            if (needed(plan[i], ctx.view, ctx.fs, ctx.sources()).needed)
                leaving.push_back(i);
        }
        unmount_entry(ctx, t.entry);
    } catch (const std::exception& err) {
        ctx.debug("cannot detach the tmpfs at " + dir + " with everything in it (" + err.what() +
                  "); unmounting what is in it one by one");
        return;
    }
    for (size_t i : leaving)
        done_with[i] = "detached together with the tmpfs at " + dir;
    done_with[last] = "detached, with everything in it";
}

// The unmount at I leaves with a later change's detach (ChangeGroups): it
// is not made on its own.
void leave_with_later_detach(ExecContext& ctx, const std::vector<Change>& plan,
                             const ChangeGroups& groups, size_t i, DoneWith& done_with,
                             std::set<size_t>& tmpfs_tried) {
    const auto& leaving = groups.unmounts_leaving_with();
    const auto it = leaving.find(i);
    if (it == leaving.end())
        return;
    const Change& with = plan[it->second];
    if (with.action == Action::Replace) {
        // Kept when the tmpfs holding it was already detached whole.
        done_with.emplace(i, "left for the replacement at " + clean_path(with.entry.dir) +
                                 " to take down with the old mount, and to mount again");
    } else if (tmpfs_tried.insert(it->second).second) {
        unmount_tmpfs_whole(ctx, plan, i, it->second, done_with);
    }
}

// Makes the change at I of PLAN, needed() having said it is needed.
void perform(ExecContext& ctx, const std::vector<Change>& plan, const ChangeGroups& groups,
             size_t i, Outcome& o, DoneWith& done_with) {
    const Change& c = plan[i];
    if (c.action == Action::Unmount) {
        unmount_entry(ctx, c.entry);
        return;
    }
    MountPoints points(ctx);
    // A symlink is made in one call, by ensure_target(): the journal hears
    // of it first, as it hears of a mount before the attach.
    if (profile::kind(c.entry) == profile::EntryKind::Symlink && ctx.options.journal)
        ctx.options.journal->record_mount(c.entry);
    std::optional<OpenedPoints> opened = points.open_existing(c.entry);
    if (!opened) {
        points.ensure_target(c.entry, o.synthesized);
        points.ensure_source(c.entry, o.synthesized);
    }
    std::vector<size_t> carry;
    if (c.action == Action::Replace && ctx.options.tuck)
        carry = groups.mounts_carried_by(i);
    const std::string dir = clean_path(c.entry.dir);
    for (size_t k :
         mount_entry(ctx, c.entry, replaced(ctx, c), plan, carry, opened ? &*opened : nullptr))
        done_with[k] = "mounted on the new mount at " + dir + " before it was attached";
}

// Checks the change at I of PLAN and makes it when needed; fills in O.
void run_change(ExecContext& ctx, const std::vector<Change>& plan, const ChangeGroups& groups,
                size_t i, Outcome& o, DoneWith& done_with) {
    const Change& c = plan[i];
    Verdict v;
    try {
        // A re-mounted keep reports why it was missing; one in place, why
        // it is, when the run shows reasons.
        const Detail keep = ctx.options.reasons ? Detail::Full : Detail::Quiet;
        v = needed(c, ctx.view, ctx.fs, ctx.sources(),
                   c.action == Action::Keep ? keep : Detail::Brief);
    } catch (const std::exception& e) {
        // Nothing was touched: what was in place presumably still is.
        o.status = Status::Failed;
        o.detail = e.what();
        o.remains = c.action != Action::Mount;
        return;
    }
    if (!v.needed) {
        o.status = Status::AlreadyDone;
        o.detail = std::move(v.reason);
        try {
            // A run killed between the unmount and the removal of the mount
            // point left the mount point behind; one killed around a
            // volatile overlay's attach left its record a step behind.
            if (c.action == Action::Unmount && is_mount_kind(c.entry))
                remove_placeholder(ctx, c.entry);
            else if (c.action != Action::Unmount)
                overlay_in_place(ctx, c.entry);
        } catch (const std::exception& e) {
            o.status = Status::Failed;
            o.detail = e.what();
        }
        return;
    }
    try {
        perform(ctx, plan, groups, i, o, done_with);
        if (c.action == Action::Keep)
            o.detail = "re-mounted: " + v.reason;
        return;
    } catch (const IgnoredMissing& e) {
        o.status = Status::Skipped;
        o.detail = e.what();
    } catch (const std::exception& e) {
        o.status = Status::Failed;
        o.detail = e.what();
    }
    if (c.action == Action::Replace && c.replaces)
        o.remains = still_mounted(ctx, *c.replaces);
}

// Detaches what the run piled (reconcile/pile.hpp), saying so on the debug
// log when it cannot: the pile then stays, holding only old mounts already
// replaced, and the next run detaches it first.
void flush_pile(ExecContext& ctx) {
    if (!ctx.options.pile)
        return;
    try {
        ctx.options.pile->flush();
    } catch (const std::exception& err) {
        ctx.debug(std::string(err.what()) + "; the next run detaches it");
    }
}

}  // namespace

Executor::Executor(Kernel& kernel, MountView& view, const FsView& fs, Assumptions& assumptions,
                   ExecOptions options)
    : kernel_(kernel),
      view_(view),
      fs_(fs),
      assumptions_(assumptions),
      options_(std::move(options)) {}

Result Executor::execute(std::vector<Change> plan) {
    Result result;
    result.plan = std::move(plan);
    const std::vector<Change>& changes = result.plan;
    ExecContext ctx(kernel_, view_, fs_, assumptions_, options_);
    const ChangeGroups groups(changes);
    DoneWith done_with;
    // Tmpfs unmounts already tried with everything in them.
    std::set<size_t> tmpfs_tried;
    result.outcomes.reserve(changes.size());
    for (size_t i = 0; i < changes.size(); ++i) {
        const Change& c = changes[i];
        Outcome o{&c, Status::Done, "", {}, false};
        // A change at, above or below the pile's mount point could not be
        // made, or would take the pile along, while the pile is there.
        if (options_.pile && options_.pile->near(groups.dir(i)))
            flush_pile(ctx);
        if (options_.tuck)
            leave_with_later_detach(ctx, changes, groups, i, done_with, tmpfs_tried);
        if (auto early = done_with.find(i); early != done_with.end())
            o.detail = early->second;
        else
            run_change(ctx, changes, groups, i, o, done_with);
        if (o.status == Status::Done || o.status == Status::AlreadyDone)
            assumptions_.record(c);
        const bool fatal = o.status == Status::Failed && is_fatal(c.entry);
        result.outcomes.push_back(std::move(o));
        if (fatal) {
            result.fatal = true;
            break;
        }
    }
    // The old mounts are gone from their mount points already; the one
    // detach of them all waits for the kernel's grace period once.
    flush_pile(ctx);
    // A failed unmount stays recorded only while its mount is there: the
    // failure may have come after the mount went (removing the
    // placeholder), and a later detach of a mount above it takes it along.
    for (size_t i = 0; i < result.outcomes.size(); ++i) {
        Outcome& o = result.outcomes[i];
        if (changes[i].action == Action::Unmount && o.status == Status::Failed)
            o.remains = still_mounted(ctx, changes[i].entry);
    }
    std::set<size_t> carried;
    for (const auto& [i, detail] : done_with)
        carried.insert(i);
    result.in_place = in_place(changes, result.outcomes, carried);
    return result;
}

profile::MountProfile Result::new_current() const {
    return copy_profile(in_place);
}

}  // namespace nsr::reconcile
