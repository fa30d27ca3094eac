#include "reconcile/mount_ops.hpp"

#include <sys/mount.h>

#include <system_error>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/options.hpp"
#include "profile/flags.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::Fd;
using profile::to_mount_attr;

namespace {

#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

// What mount_setattr(2) is given for ATTRS.
struct mount_attr attr_of(const MountAttrs& attrs) {
    struct mount_attr a = to_mount_attr(attrs.ms_flags);
    constexpr unsigned kAccess =
        MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    if (attrs.exact && ((a.attr_set & kAccess) || attrs.top_only))
        a.attr_clr |= kAccess & ~a.attr_set;
    return a;
}

}  // namespace

Fd MountOps::clone(const Fd& src, const MountAttrs& attrs) {
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
    if (attrs.recursive)
        flags |= AT_RECURSIVE;
    struct mount_attr a = attr_of(attrs);
    // One call instead of two where the kernel has open_tree_attr (Linux
    // 6.15), which applies the attributes as far as the copy reaches: not
    // for runc's top-only flags on a recursive copy. On any failure the two
    // calls say which step failed.
    if ((a.attr_set || a.attr_clr) && !(attrs.recursive && attrs.top_only) &&
        !open_tree_attr_missing_) {
        const int fd = k_.open_tree_attr(src.get(), "", flags, &a, sizeof a);
        if (fd >= 0)
            return Fd(fd);
        open_tree_attr_missing_ = fd == -ENOSYS;
    }
    int fd = k_.open_tree(src.get(), "", flags);
    check_rc(fd, "cannot clone mount tree");
    Fd tree(fd);
    set_attrs(tree, attrs);
    return tree;
}

void MountOps::set_attrs(const Fd& tree, const MountAttrs& attrs) {
    struct mount_attr a = attr_of(attrs);
    if (a.attr_set || a.attr_clr) {
        unsigned at = AT_EMPTY_PATH | (attrs.recursive && !attrs.top_only ? AT_RECURSIVE : 0);
        check_rc(k_.mount_setattr(tree.get(), "", at, &a, sizeof a), "cannot set mount attributes");
    }
}

Fd MountOps::create(const std::string& type, const std::string& source, const std::string& data,
                    const MountAttrs& attrs) {
    int fsfd = k_.fsopen(type.c_str(), FSOPEN_CLOEXEC);
    check_rc(fsfd, "cannot open filesystem type \"" + type + "\"");
    Fd fs(fsfd);
    check_rc(k_.fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0),
             "cannot set source \"" + source + "\"");
    for (const base::Option& opt : base::OptionList(data)) {
        const std::string key(opt.key);
        int rc = opt.value ? k_.fsconfig(fs.get(), FSCONFIG_SET_STRING, key.c_str(),
                                         std::string(*opt.value).c_str(), 0)
                           : k_.fsconfig(fs.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0);
        check_rc(rc, "cannot set " + type + " option \"" + std::string(opt.text) + "\"");
    }
    if (attrs.ms_flags & MS_RDONLY) {
        check_rc(k_.fsconfig(fs.get(), FSCONFIG_SET_FLAG, "ro", nullptr, 0), "cannot set ro");
    }
    check_rc(k_.fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0),
             "cannot create " + type + " filesystem");
    struct mount_attr a = to_mount_attr(attrs.ms_flags);
    int mfd = k_.fsmount(fs.get(), FSMOUNT_CLOEXEC, a.attr_set);
    check_rc(mfd, "cannot make a mount of the new " + type + " filesystem");
    return Fd(mfd);
}

int MountOps::set_tree_attrs(const Fd& tree, uint64_t set, uint64_t clear) {
    struct mount_attr a {};
    a.attr_set = set;
    a.attr_clr = clear;
    return k_.mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a);
}

int MountOps::attach(const Fd& tree, const Fd& target, bool beneath) {
    unsigned flags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
    if (beneath)
        flags |= MOVE_MOUNT_BENEATH;
    return k_.move_mount(tree.get(), "", target.get(), "", flags);
}

int MountOps::attach_at(const Fd& tree, const Fd& dir, const std::string& name) {
    return k_.move_mount(tree.get(), "", dir.get(), name.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
}

int MountOps::set_propagation(const Fd& target, unsigned long ms_propagation, bool recursive) {
    struct mount_attr a {};
    a.propagation = ms_propagation;
    unsigned at = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    return k_.mount_setattr(target.get(), "", at, &a, sizeof a);
}

int MountOps::detach(const Fd& target) {
    // The kernel propagates an unmount through the peers of each unmounted
    // mount's parent. In a tree whose mounts are peers of others (an rbind
    // of a shared source), detaching would also unmount the corresponding
    // submounts of those others, the source's own included; a private tree
    // takes only itself (docs/kernel-facts.md).
    int rc = set_propagation(target, MS_PRIVATE, true);
    if (rc < 0)
        return rc;
    // The fd's /proc path is not looked up by name, so a symlink swapped
    // into the path meanwhile cannot redirect the unmount. It names the
    // mount the fd holds only while nothing is mounted on that mount's
    // root (the kernel goes on to the mount on top there): every caller
    // opens the top of its mount point right before, or holds a mount
    // whose root it never mounts on (a mimic's tmpfs, the pile).
    return umount_through(target, "", MNT_DETACH);
}

int MountOps::unmount(const Fd& parent, const std::string& leaf) {
    return umount_through(parent, "/" + leaf, UMOUNT_NOFOLLOW);
}

int MountOps::umount_through(const Fd& fd, const std::string& below, int flags) {
    const std::string fd_and_below = std::to_string(fd.get()) + below;
    const int rc = k_.umount2(("/proc/self/fd/" + fd_and_below).c_str(), flags);
    if (rc != -ENOENT)
        return rc;
    // In a container's namespace /proc is the container's, which has no
    // /proc/self for this process; apply then works from the host's /proc
    // (reconcile/system_context.cpp), where self/fd/N names the fd.
    return k_.umount2(("self/fd/" + fd_and_below).c_str(), flags);
}

}  // namespace nsr::reconcile
