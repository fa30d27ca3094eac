#include "reconcile/carry.hpp"

#include <cstring>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"
#include "profile/flags.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/mount_builder.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::clean_path;
using base::Fd;

using profile::EntryKind;
using profile::MountEntry;

namespace {

// Opens REL (below the root of the detached TREE) without following
// symlinks, and checks it is the mount point KIND needs. "" or the why not.
std::string open_in_tree(ExecContext& ctx, const Fd& tree, const std::string& rel, EntryKind kind,
                         Fd& out) {
    Fd cur;
    size_t pos = 0;
    while (true) {
        const size_t slash = rel.find('/', pos);
        const bool last = slash == std::string::npos;
        const std::string name = rel.substr(pos, last ? std::string::npos : slash - pos);
        const int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY);
        int fd = ctx.kernel.openat(cur ? cur.get() : tree.get(), name.c_str(), flags);
        if (fd < 0)
            return "cannot open " + name + " in the new mount: " + std::strerror(-fd);
        cur = Fd(fd);
        if (last)
            break;
        pos = slash + 1;
    }
    struct stat st {};
    check_rc(ctx.kernel.fstatat(cur.get(), "", &st, AT_EMPTY_PATH), "cannot inspect " + rel);
    const bool fits = kind == EntryKind::Directory ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
    if (!fits)
        return "its mount point in the new mount is of another type";
    out = std::move(cur);
    return "";
}

// Makes the mount of E on TREE (the detached new mount for DIR). "" or why
// it cannot.
std::string carry(ExecContext& ctx, const MountEntry& e, size_t index, const Fd& tree,
                  const std::string& dir, std::vector<Carried>& carried) {
    const std::string cdir = clean_path(e.dir);
    const EntryKind kind = profile::kind(e);
    if (profile::is_bind(e)) {
        const FileType t = ctx.fs.lstat(clean_path(e.name));
        if (t != (kind == EntryKind::Directory ? FileType::Directory : FileType::Regular))
            return "its source is missing or of another type";
    }
    Fd point;
    std::string why =
        open_in_tree(ctx, tree, cdir.substr(dir.size() + (dir == "/" ? 0 : 1)), kind, point);
    if (!why.empty())
        return why;
    BuiltMount child = build_mount(ctx, e, profile::options_to_flags(e.options));
    int rc = ctx.ops.attach(child.tree, point, false);
    if (rc < 0)
        return "the kernel refused to mount on the detached new mount (" +
               std::string(std::strerror(-rc)) + ")";
    child.proto.mount_point = cdir;
    carried.push_back({index, std::move(child.tree), std::move(child.proto)});
    return "";
}

}  // namespace

std::vector<Carried> carry_mounts(ExecContext& ctx, const std::vector<Change>& plan,
                                  const std::vector<size_t>& candidates, const Fd& tree,
                                  const std::string& dir) {
    std::vector<Carried> carried;
    for (size_t i : candidates) {
        std::string why;
        try {
            why = carry(ctx, plan[i].entry, i, tree, dir, carried);
        } catch (const std::exception& err) {
            why = err.what();
        }
        if (!why.empty()) {
            ctx.debug("replace at " + dir + ": the mount at " + clean_path(plan[i].entry.dir) +
                      " is made after the replacement, not with it: " + why);
            break;
        }
    }
    return carried;
}

}  // namespace nsr::reconcile
