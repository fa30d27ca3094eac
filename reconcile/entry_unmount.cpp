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

// After an unmount, an empty directory or file left at the mount point is
// removed, with snapd's tolerances.
void remove_placeholder(ExecContext& ctx, const MountEntry& e, const std::string& dir) {
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
    if (rc == 0 || rc == -EROFS || rc == -EBUSY || rc == -ENOENT)
        return;
    if (profile::kind(e) == EntryKind::Directory && (rc == -ENOTEMPTY || rc == -EEXIST))
        return;
    throw_errno(rc, "cannot remove \"" + dir + "\"");
}

}  // namespace

void unmount_entry(ExecContext& ctx, const MountEntry& e) {
    const std::string dir = clean_path(e.dir);
    switch (profile::kind(e)) {
        case EntryKind::Symlink: {
            int rc = ctx.sfs.remove(dir);
            if (rc < 0)
                throw_errno(rc, "cannot remove symlink \"" + dir + "\"");
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
        rc = ctx.ops.unmount(dir);
        if (rc == 0)
            overlay_unmounted(ctx, e, synced);
    }
    if (rc < 0)
        throw_errno(rc, "cannot unmount \"" + dir + "\"");
    ctx.view.record_detach(dir);
    remove_placeholder(ctx, e, dir);
}

}  // namespace nsr::reconcile
