#include "reconcile/entry_unmount.hpp"

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/overlay_exec.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::Fd;
using base::throw_errno;

using profile::EntryKind;
using profile::MountEntry;

namespace {

// Whether the tool made PATH (reconcile/journal.hpp): only that is ever
// removed, so a directory that was there before (an administrator's, or
// the snap's own) stays, as a fresh apply would find it.
bool made_by_us(ExecContext& ctx, const std::string& path) {
    return ctx.options.journal && ctx.options.journal->created(path);
}

// The directories above DIR that the tool made for it, while they are
// empty: a fresh apply of a profile without the entry makes none of them.
void remove_made_parents(ExecContext& ctx, std::string dir) {
    for (dir = base::parent_dir(dir); dir != "/" && made_by_us(ctx, dir);
         dir = base::parent_dir(dir)) {
        if (ctx.sfs.remove(dir) != 0)
            return;
    }
}

}  // namespace

void remove_placeholder(ExecContext& ctx, const MountEntry& e) {
    const std::string dir = clean_path(e.dir);
    // A mimic's bind-back has its placeholder made in the mimic's own
    // tmpfs, by the tool, before the tmpfs is attached.
    if (!made_by_us(ctx, dir) && !profile::is_synthetic(e))
        return;
    Fd fd;
    int rc = ctx.sfs.try_open_path(dir, fd);
    if (rc == -ENOENT)
        return;
    if (rc < 0)
        throw_errno(rc, "cannot open \"" + dir + "\"");
    struct statfs sfsb {};
    if (ctx.kernel.fstatfs(fd.get(), &sfsb) == 0 && sfsb.f_type == kSquashfsMagic)
        return;
    if (profile::kind(e) == EntryKind::File) {
        struct stat st {};
        if (ctx.kernel.fstatat(fd.get(), "", &st, AT_EMPTY_PATH) == 0 && st.st_size != 0)
            return;
    }
    fd = Fd();
    rc = ctx.sfs.remove(dir);
    if (rc == 0) {
        remove_made_parents(ctx, dir);
        return;
    }
    if (rc == -EROFS || rc == -EBUSY || rc == -ENOENT)
        return;
    if (profile::kind(e) == EntryKind::Directory && (rc == -ENOTEMPTY || rc == -EEXIST))
        return;
    throw_errno(rc, "cannot remove \"" + dir + "\"");
}

int unmount_through_parent(ExecContext& ctx, const std::string& dir) {
    Fd parent;
    std::string leaf;
    if (int rc = ctx.sfs.try_open_parent(dir, parent, leaf); rc < 0)
        return rc;
    return ctx.ops.unmount(parent, leaf);
}

void unmount_entry(ExecContext& ctx, const MountEntry& e) {
    const std::string dir = clean_path(e.dir);
    switch (profile::kind(e)) {
        case EntryKind::Symlink: {
            int rc = ctx.sfs.remove(dir);
            if (rc < 0)
                throw_errno(rc, "cannot remove symlink \"" + dir + "\"");
            remove_made_parents(ctx, dir);
            return;
        }
        case EntryKind::EnsureDir:
        case EntryKind::Unknown:
            return;
        default:
            break;
    }
    Fd target;
    int rc = ctx.sfs.try_open_path(dir, target);
    if (rc == -ENOENT)
        return;  // the mount point itself is gone
    if (rc < 0)
        throw_errno(rc, "cannot open \"" + dir + "\"");
    if (profile::is_detach(e)) {
        rc = ctx.ops.detach(target);
    } else {
        const int synced = overlay_sync_before_unmount(ctx, e, target);
        target = Fd();  // an open fd would keep the mount busy
        rc = unmount_through_parent(ctx, dir);
        if (rc == 0)
            overlay_unmounted(ctx, e, synced);
        else
            overlay_in_place(ctx, e);
    }
    if (rc < 0)
        throw_errno(rc, "cannot unmount \"" + dir + "\"");
    ctx.view.record_detach(dir);
    remove_placeholder(ctx, e);
}

}  // namespace nsr::reconcile
