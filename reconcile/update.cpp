#include "reconcile/update.hpp"

#include <unistd.h>

#include <algorithm>

#include "mountinfo/mount_table.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/plan.hpp"

namespace nsr::reconcile {

namespace {

// Both profiles as the namespace sees them, and what the update works with
// inside it.
struct Start {
    profile::MountProfile desired;
    profile::MountProfile current;
    Inside inside;
};

// The host side (under the lock the caller holds), then the namespace:
// nothing when there is none.
std::optional<Start> start(UpdateContext& ctx, bool applying, const UpdateOptions& options) {
    profile::MountProfile desired = ctx.load_desired();
    profile::MountProfile current = ctx.load_current();
    if (applying)
        ctx.prepare_save();
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
    return Start{std::move(desired), std::move(current), std::move(*inside)};
}

}  // namespace

std::optional<std::vector<PlannedChange>> plan_update(UpdateContext& ctx,
                                                      const UpdateOptions& options) {
    const base::Fd lock = ctx.lock();
    const auto s = start(ctx, false, options);
    if (!s)
        return std::nullopt;
    const LiveFsView fs;
    const auto& sources = s->inside.source_table;
    return judge(plan(s->current, s->desired, fs, {.tuck = options.tuck}), &s->inside.table, fs,
                 sources ? &*sources : nullptr);
}

std::optional<Result> apply_update(UpdateContext& ctx, const UpdateOptions& options) {
    const base::Fd lock = ctx.lock();
    auto s = start(ctx, true, options);
    if (!s)
        return std::nullopt;
    Inside& inside = s->inside;
    const LiveFsView fs;
    const auto changes = plan(s->current, s->desired, fs, {.tuck = options.tuck});

    Assumptions as(ctx.writable_places(), &inside.table);
    for (const auto& e : s->current.entries)
        as.record({Action::Mount, e, std::nullopt});
    LinuxKernel kernel;
    ExecOptions exec_options;
    exec_options.tuck = options.tuck;
    exec_options.uid = ::getuid();
    exec_options.gid = ::getgid();
    exec_options.debug = options.debug;
    exec_options.host_sources = inside.host_sources ? &*inside.host_sources : nullptr;
    exec_options.source_table = inside.source_table ? &*inside.source_table : nullptr;
    Executor exec(kernel, inside.table, fs, as, exec_options);

    const bool changing = std::any_of(changes.begin(), changes.end(),
                                      [](const Change& c) { return c.action != Action::Keep; });
    if (changing && options.before_changes)
        options.before_changes();
    Result result = exec.execute(changes);
    if (changing && options.after_changes)
        options.after_changes();

    ctx.save_current(result.new_current);
    return result;
}

}  // namespace nsr::reconcile
