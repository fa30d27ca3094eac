#include "reconcile/update.hpp"

#include <unistd.h>

#include <algorithm>

#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/journal_file.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_ops.hpp"
#include "reconcile/mount_state.hpp"
#include "reconcile/pile.hpp"
#include "reconcile/plan.hpp"
#include "reconcile/pristine_fs_view.hpp"
#include "reconcile/recovery.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/table_mount_view.hpp"
#include "reconcile/volatile_evidence.hpp"

namespace nsr::reconcile {

namespace {

// Both profiles as the namespace sees them, and what the update works with
// inside it.
struct Start {
    profile::MountProfile desired;
    profile::MountProfile current;
    bool current_lost;
    JournalFile* journal_file;
    Inside inside;
    // For an apply that may mount or unmount an overlay with an upper dir.
    std::optional<VolatileStore> volatile_store;
    std::string boot_id;
};

bool has_overlay_upper(const profile::MountProfile& p) {
    return std::any_of(p.entries.begin(), p.entries.end(), profile::overlay_has_upper);
}

// The host side (under the lock the caller holds), then the namespace:
// nothing when there is none.
std::optional<Start> start(UpdateContext& ctx, bool applying, const UpdateOptions& options) {
    profile::MountProfile desired = ctx.load_desired();
    profile::MountProfile current = ctx.load_current();
    const bool lost = ctx.current_lost();
    std::optional<VolatileStore> store;
    std::string boot_id;
    if (applying) {
        ctx.prepare_save(options.debug);
        // On the host side, as the state directory: the records of volatile
        // overlays are the host's, whichever namespace is updated.
        if (has_overlay_upper(desired) || has_overlay_upper(current)) {
            store.emplace(VolatileStore::deferred(options.volatile_store));
            boot_id = boot_id_read();
        }
    }
    JournalFile* journal_file = ctx.journal_file();
    auto inside = ctx.enter(desired, applying, options.debug);
    if (!inside) {
        if (options.debug) {
            options.debug("no preserved mount namespace at " + ctx.paths().ns_file +
                          ", nothing to do");
        }
        return std::nullopt;
    }
    ctx.expand(desired);
    ctx.expand(current);
    return Start{std::move(desired), std::move(current), lost, journal_file, std::move(*inside),
                 std::move(store),   std::move(boot_id)};
}

// What is mounted where in the namespace: INSIDE's table, when it was read
// elsewhere, or the kernel asked from here. SOURCES: INSIDE's source table.
struct Mounts {
    LinuxKernel kernel;
    std::optional<MountState> state;
    std::optional<TableMountView> sources;

    Mounts(Inside& inside, const UpdateOptions& options) {
        if (inside.table)
            state.emplace(kernel, std::move(*inside.table));
        else
            state.emplace(kernel, options.mount_source, options.debug);
        if (inside.source_table)
            sources.emplace(*inside.source_table);
    }
    MountView& view() { return state->view(); }
    MountView* source_view() { return sources ? &*sources : nullptr; }
};

Journal open_journal(const Start& s, Kernel& kernel, const UpdateOptions& options) {
    if (!s.journal_file)
        return {};
    return Journal(*s.journal_file, journal_namespace_id(kernel), options.debug);
}

// Replacements the run asked for, left half done: the new mount attached
// beneath the old one, which could not be detached. The journal keeps
// them for the next run to finish.
std::vector<Claim> half_done(const Result& result) {
    std::vector<Claim> pending;
    for (size_t i = 0; i < result.outcomes.size(); ++i) {
        const Change& c = result.plan[i];
        const Outcome& o = result.outcomes[i];
        if (c.action == Action::Replace && c.replaces && o.status == Status::Failed && o.remains)
            pending.push_back({Claim::Kind::Replace, {*c.replaces, c.entry}});
    }
    return pending;
}

// What the planner orders mounts by: FS without what the journal says
// nsreconcile created, as a fresh namespace shows it (PristineFsView).
PristineFsView pristine(const FsView& fs, const Journal& journal) {
    return PristineFsView(fs,
                          [&journal](const std::string& path) { return journal.created(path); });
}

}  // namespace

std::optional<std::vector<PlannedChange>> plan_update(UpdateContext& ctx,
                                                      const UpdateOptions& options) {
    const base::Fd lock = ctx.lock();
    auto s = start(ctx, false, options);
    if (!s)
        return std::nullopt;
    Mounts mounts(s->inside, options);
    const LiveFsView fs;
    const Journal journal = open_journal(*s, mounts.kernel, options);
    Recovered rec = recover(std::move(s->current), s->current_lost, journal, mounts.view(), fs,
                            mounts.source_view(), {}, options.debug);
    return judge(plan(std::move(rec.current), std::move(s->desired), pristine(fs, journal),
                      {.tuck = options.tuck}),
                 &mounts.view(), fs, mounts.source_view());
}

std::optional<Result> apply_update(UpdateContext& ctx, const UpdateOptions& options) {
    const base::Fd lock = ctx.lock();
    auto s = start(ctx, true, options);
    if (!s)
        return std::nullopt;
    Inside& inside = s->inside;
    Mounts mounts(inside, options);
    const LiveFsView fs;
    Journal journal = open_journal(*s, mounts.kernel, options);
    // The application is frozen (when asked) from the first change on,
    // which may be finishing what a killed run began.
    bool frozen = false;
    auto freeze = [&] {
        if (!frozen && options.before_changes)
            options.before_changes();
        frozen = true;
    };
    auto finish_replace = [&](const std::string& dir) {
        freeze();
        SecureFs sfs(mounts.kernel);
        MountOps ops(mounts.kernel);
        base::Fd top;
        if (sfs.try_open_path(dir, top) < 0)
            return false;
        return ops.detach(top) == 0 || ops.detach(top) == 0;
    };
    // A pile a killed run left goes first, under the lock; a run that
    // cannot take it down piles nothing.
    std::optional<Pile> pile;
    if (PileDir where = ctx.pile_dir(options.debug)) {
        pile.emplace(mounts.kernel, std::move(where), options.debug);
        try {
            pile->clear_leftover();
        } catch (const std::exception& err) {
            if (options.debug)
                options.debug(std::string(err.what()) +
                              "; replaced mounts are detached one by one");
            pile.reset();
        }
    }
    Recovered rec = recover(std::move(s->current), s->current_lost, journal, mounts.view(), fs,
                            mounts.source_view(), finish_replace, options.debug);
    Assumptions as(ctx.writable_places(), &mounts.view());
    for (const auto& e : rec.current.entries)
        as.record(Action::Mount, e);
    // The profiles' entries move into the plan.
    auto changes = plan(std::move(rec.current), std::move(s->desired), pristine(fs, journal),
                        {.tuck = options.tuck});

    ExecOptions exec_options;
    exec_options.tuck = options.tuck;
    exec_options.uid = ::getuid();
    exec_options.gid = ::getgid();
    exec_options.debug = options.debug;
    exec_options.host_sources = inside.host_sources ? &*inside.host_sources : nullptr;
    exec_options.source_table = inside.source_table ? &*inside.source_table : nullptr;
    exec_options.journal = &journal;
    exec_options.volatile_store = s->volatile_store ? &*s->volatile_store : nullptr;
    exec_options.boot_id = s->boot_id;
    exec_options.pile = pile ? &*pile : nullptr;
    exec_options.reasons = options.reasons;
    Executor exec(mounts.kernel, mounts.view(), fs, as, exec_options);

    const bool changing = std::any_of(changes.begin(), changes.end(),
                                      [](const Change& c) { return c.action != Action::Keep; });
    if (changing)
        freeze();
    Result result = exec.execute(std::move(changes));
    if (frozen && options.after_changes)
        options.after_changes();

    std::string in_place =
        profile::format_entries(result.in_place, journal.compact_room(result.in_place.size()));
    ctx.save_current(in_place);
    // After the current profile: a kill in between leaves the journal's
    // intents, which say no more than the new profile does.
    std::vector<Claim> pending = std::move(rec.pending);
    for (Claim& c : half_done(result))
        pending.push_back(std::move(c));
    // The text moves on: the journal's records are made in its buffer.
    journal.compact(
        std::move(in_place),
        [&](const std::string& path) { return fs.lstat(path) != FileType::Missing; }, pending);
    return result;
}

}  // namespace nsr::reconcile
