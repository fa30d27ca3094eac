#include "reconcile/overlay_exec.hpp"

#include <optional>

#include "base/error.hpp"
#include "base/path.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/entry_unmount.hpp"
#include "reconcile/overlay_mount.hpp"
#include "reconcile/volatile_reuse.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::Fd;
using profile::MountEntry;
using profile::OverlaySpec;

namespace {

// E's spec when E is an overlay with an upper dir (and, with VOLATILE_ONLY,
// a volatile one); nothing otherwise, or when its options cannot be read
// (it was then never mounted by nsreconcile either).
std::optional<OverlaySpec> upper_spec(const MountEntry& e, bool volatile_only) {
    if (e.type != "overlay" || !profile::overlay_has_upper(e))
        return std::nullopt;
    OverlaySpec spec = profile::overlay_spec_parse(e);
    if (volatile_only && !spec.is_volatile)
        return std::nullopt;
    return spec;
}

}  // namespace

BuiltMount overlay_build_checked(ExecContext& ctx, const MountEntry& e, unsigned long ms_flags) {
    VolatileGuard* guard = ctx.volatile_guard ? &*ctx.volatile_guard : nullptr;
    if (ctx.options.host_sources) {
        auto [tree, proto] = ctx.options.host_sources->build_overlay(
            ctx.kernel, ctx.sfs, e, ms_flags, guard, ctx.options.debug);
        return {std::move(tree), std::move(proto)};
    }
    // Read only when the entry has an upper dir: the whole table, since the
    // other overlay may be anywhere in the namespace.
    const PairUser in_namespace = [](const std::string& upper, const std::string& work) {
        return pair_user_in(mountinfo::MountTable::from_self(), upper, work);
    };
    auto [tree, proto] = overlay_build_guarded(ctx.kernel, ctx.sfs, e, ms_flags, ctx.options.debug,
                                               guard, in_namespace);
    return {std::move(tree), std::move(proto)};
}

int overlay_sync_before_unmount(ExecContext& ctx, const MountEntry& e, const Fd& root) {
    if (!ctx.volatile_guard)
        return 0;
    const auto spec = upper_spec(e, false);
    if (!spec)
        return 0;
    const int err = ctx.volatile_guard->sync_inside(root);
    if (err != 0) {
        ctx.debug("overlay at " + clean_path(e.dir) +
                  ": syncfs inside it before its unmount: " + base::errno_text(err));
    }
    if (spec->is_volatile)
        ctx.volatile_guard->unmounting(*spec, err);
    return err;
}

void overlay_in_place(ExecContext& ctx, const MountEntry& e) {
    if (!ctx.volatile_guard)
        return;
    if (auto spec = upper_spec(e, true))
        ctx.volatile_guard->attached(*spec);
}

void overlay_unmounted(ExecContext& ctx, const MountEntry& e, int sync_errno) {
    if (!ctx.volatile_guard)
        return;
    if (auto spec = upper_spec(e, true))
        ctx.volatile_guard->unmounted(*spec, sync_errno);
}

int replaced_detach(ExecContext& ctx, Fd& target, const std::string& dir,
                    const MountEntry* replaced) {
    if (!ctx.volatile_guard || !replaced || !upper_spec(*replaced, true)) {
        // Moved onto the pile, the old mount leaves its mount point as it
        // would by a lazy detach, without the detach's wait.
        const bool file = replaced && profile::kind(*replaced) == profile::EntryKind::File;
        if (ctx.options.pile && ctx.options.pile->take(target, file))
            return 0;
        return ctx.ops.detach(target);
    }
    const int sync = overlay_sync_before_unmount(ctx, *replaced, target);
    // An open fd, even an O_PATH one, keeps the mount busy.
    target = Fd();
    int rc = unmount_through_parent(ctx, dir);
    if (rc == 0) {
        overlay_unmounted(ctx, *replaced, sync);
        return 0;
    }
    overlay_in_place(ctx, *replaced);
    ctx.debug("volatile overlay at " + dir + ": cannot unmount it (" + base::errno_text(-rc) +
              "); detaching it lazily, so its unmount is not recorded as clean and its upper "
              "dir falls under x-nsr.volatile-stale when it is mounted again");
    target = ctx.sfs.open_path(dir);
    return ctx.ops.detach(target);
}

void overlay_discarded(ExecContext& ctx, const MountEntry& e, const Fd& tree) noexcept {
    if (!ctx.volatile_guard)
        return;
    try {
        if (auto spec = upper_spec(e, true))
            ctx.volatile_guard->unmounted(*spec, ctx.volatile_guard->sync_inside(tree));
    } catch (const std::exception& err) {
        ctx.debug("overlay at " + clean_path(e.dir) +
                  ": cannot record that the volatile overlay was dropped unattached (" +
                  err.what() + "); its upper dir falls under x-nsr.volatile-stale next time");
    }
}

}  // namespace nsr::reconcile
