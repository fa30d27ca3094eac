#include "reconcile/entry_mount.hpp"

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"
#include "profile/flags.hpp"
#include "reconcile/carry.hpp"
#include "reconcile/mount_builder.hpp"
#include "reconcile/needed.hpp"
#include "reconcile/overlay_exec.hpp"
#include "reconcile/tuck_refusal.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::Fd;
using base::throw_errno;

using profile::MountEntry;

namespace {

// Attaches TREE beneath the mount at TARGET (DIR) and detaches the old one.
// False when the kernel refuses the tuck (nothing changed then).
bool tuck_beneath(ExecContext& ctx, const Fd& tree, Fd& target, const std::string& dir,
                  const mountinfo::Mount& proto, const MountEntry* replaces) {
    int rc = ctx.ops.attach(tree, target, true);
    if (rc < 0) {
        std::string why;
        try {
            why = beneath_refusal(ctx.view, dir, -rc);
        } catch (const std::exception& err) {
            why = std::string("the mounts there cannot be read: ") + err.what();
        }
        ctx.debug("replace at " + dir + ": the kernel refused to mount beneath (" +
                  base::errno_text(-rc) + ": " + why + "); unmounting the old mount first, " + dir +
                  " shows what lies under it until the new mount is attached");
        return false;
    }
    ctx.view.record_mount(tree, proto, true);
    rc = replaced_detach(ctx, target, dir, replaces);
    if (rc < 0) {
        // The old mount now sits on the new one, so nothing can take the
        // new one down without the old: one more try before leaving both,
        // the new one hidden and unrecorded.
        ctx.debug("replace at " + dir + ": cannot detach the replaced mount (" +
                  base::errno_text(-rc) + "); trying once more");
        rc = ctx.ops.detach(target);
    }
    if (rc < 0)
        throw_errno(rc, "cannot detach the replaced mount at \"" + dir + "\"");
    ctx.view.record_detach(dir);
    return true;
}

// A replacement an earlier run began and was stopped in (killed, or the
// detach failed twice): the mount of E lies right beneath the old mount
// (REPLACES) at DIR. Detaching the old one finishes it; tucking another
// copy of E beneath would stack two. True when it was that case, and done.
// Only where the journal says it may be: reading the stack costs a
// statmount(2) per replacement otherwise.
bool finish_tucked(ExecContext& ctx, const MountEntry& e, const MountEntry& replaces,
                   const std::string& dir) {
    if (!ctx.replace_may_be_half_done(dir))
        return false;
    const auto stack = ctx.view.stack_at(dir);
    if (stack.size() < 2 || !shows_entry(replaces, stack[0], ctx.view, ctx.sources()) ||
        !shows_entry(e, stack[1], ctx.view, ctx.sources()))
        return false;
    ctx.debug("replace at " + dir +
              ": the new mount already lies beneath the old one; detaching the old one");
    Fd top = ctx.sfs.open_path(dir);
    int rc = replaced_detach(ctx, top, dir, &replaces);
    if (rc < 0)
        rc = ctx.ops.detach(top);
    if (rc < 0)
        throw_errno(rc, "cannot detach the replaced mount at \"" + dir + "\"");
    ctx.view.record_detach(dir);
    return true;
}

// Tells the journal what is about to appear: the mount of E (in the place
// of REPLACES, when given) and the mounts CARRIED on it.
void record_intent(ExecContext& ctx, const MountEntry& e, const MountEntry* replaces,
                   const std::vector<Change>& plan, const std::vector<Carried>& carried) {
    Journal* j = ctx.options.journal;
    if (!j)
        return;
    if (replaces)
        j->record_replace(*replaces, e);
    else
        j->record_mount(e);
    for (const Carried& c : carried)
        j->record_mount(plan[c.index].entry);
}

bool is_recursive_propagation(const MountEntry& e) {
    return e.has_option("rshared") || e.has_option("rslave") || e.has_option("rprivate") ||
           e.has_option("runbindable");
}

}  // namespace

std::vector<size_t> mount_entry(ExecContext& ctx, const MountEntry& e, const MountEntry* replaces,
                                const std::vector<Change>& plan, const std::vector<size_t>& carry,
                                OpenedPoints* opened) {
    if (!is_mount_kind(e))
        return {};
    const std::string dir = clean_path(e.dir);
    if (replaces && finish_tucked(ctx, e, *replaces, dir)) {
        overlay_in_place(ctx, e);
        return {};
    }
    const auto flags = profile::options_to_flags(e.options);
    auto [tree, proto] =
        build_mount(ctx, e, flags, opened && opened->source ? &opened->source : nullptr);
    proto.mount_point = dir;
    // Propagation is set once the mount is attached, and would then reach
    // the carried mounts too.
    std::vector<Carried> carried;
    if (!carry.empty() && !(flags.flags & kPropagationFlags))
        carried = carry_mounts(ctx, plan, carry, tree, dir);
    Fd target = opened ? std::move(opened->target) : ctx.sfs.open_path(dir);
    record_intent(ctx, e, replaces, plan, carried);
    bool beneath = false;
    if (replaces) {
        if (!ctx.options.tuck)
            ctx.debug("replace at " + dir + ": tucking disabled, unmounting first");
        else
            beneath = tuck_beneath(ctx, tree, target, dir, proto, replaces);
        if (!beneath) {
            int rc = replaced_detach(ctx, target, dir, replaces);
            if (rc < 0)
                throw_errno(rc, "cannot detach \"" + dir + "\"");
            ctx.view.record_detach(dir);
            target = ctx.sfs.open_path(dir);
        }
    }
    if (!beneath) {
        int rc = ctx.ops.attach(tree, target, false);
        if (rc < 0) {
            overlay_discarded(ctx, e, tree);
            throw_errno(rc, "cannot mount at \"" + dir + "\"");
        }
        ctx.view.record_mount(tree, proto, false);
    }
    overlay_in_place(ctx, e);
    std::vector<size_t> done;
    for (auto& c : carried) {
        ctx.view.record_mount(c.tree, c.proto, false);
        done.push_back(c.index);
    }
    if (unsigned long prop = flags.flags & kPropagationFlags) {
        int rc = ctx.ops.set_propagation(tree, prop, is_recursive_propagation(e));
        if (rc < 0) {
            // Leave nothing behind that the profile would not record.
            Fd top = ctx.sfs.open_path(dir);
            ctx.ops.detach(top);
            ctx.view.record_detach(dir);
            throw_errno(rc, "cannot change mount propagation of \"" + dir + "\"");
        }
    }
    return done;
}

}  // namespace nsr::reconcile
