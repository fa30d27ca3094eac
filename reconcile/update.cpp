#include "reconcile/update.hpp"

#include <unistd.h>

#include <algorithm>

#include "mountinfo/mount_table.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/plan.hpp"

namespace nsr::reconcile {

namespace {

// Both profiles, as the namespace sees them.
struct Profiles {
    profile::MountProfile desired;
    profile::MountProfile current;
};

// The host side (lock held by the caller), then the namespace: nothing when
// there is none.
std::optional<Profiles> enter_with_profiles(UpdateContext& ctx, bool saving,
                                            const UpdateOptions& options) {
    Profiles p{ctx.load_desired(), ctx.load_current()};
    if (saving)
        ctx.prepare_save();
    if (!ctx.enter()) {
        if (options.debug) {
            options.debug("no preserved mount namespace at " + ctx.paths().ns_file +
                          ", nothing to do");
        }
        return std::nullopt;
    }
    ctx.expand(p.desired);
    ctx.expand(p.current);
    return p;
}

}  // namespace

std::optional<std::vector<PlannedChange>> plan_update(UpdateContext& ctx,
                                                      const UpdateOptions& options) {
    const base::Fd lock = ctx.lock();
    const auto p = enter_with_profiles(ctx, false, options);
    if (!p)
        return std::nullopt;
    const auto table = mountinfo::MountTable::from_self();
    const LiveFsView fs;
    return judge(plan(p->current, p->desired, fs, {.tuck = options.tuck}), &table, fs);
}

std::optional<Result> apply_update(UpdateContext& ctx, const UpdateOptions& options) {
    const base::Fd lock = ctx.lock();
    const auto p = enter_with_profiles(ctx, true, options);
    if (!p)
        return std::nullopt;
    auto table = mountinfo::MountTable::from_self();
    const LiveFsView fs;
    const auto changes = plan(p->current, p->desired, fs, {.tuck = options.tuck});

    Assumptions as(ctx.writable_places(), &table);
    for (const auto& e : p->current.entries)
        as.record({Action::Mount, e, std::nullopt});
    LinuxKernel kernel;
    ExecOptions exec_options;
    exec_options.tuck = options.tuck;
    exec_options.uid = ::getuid();
    exec_options.gid = ::getgid();
    exec_options.debug = options.debug;
    Executor exec(kernel, table, fs, as, exec_options);

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
