#include "reconcile/pile.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/error.hpp"
#include "base/path.hpp"

namespace nsr::reconcile {

using base::Fd;

namespace {

// In the pile, the old mounts stack on directories ("d0", "d1", ...) or
// files ("f0", ...), never on the pile's root. A move onto a spot walks
// the whole stack already there: a new spot every kStackDepth mounts keeps
// a run linear in its replacements.
constexpr unsigned kStackDepth = 64;

std::string why_errno(const std::string& what, int rc) {
    return what + ": " + base::errno_text(-rc);
}

}  // namespace

std::string pile_name(const std::string& current) {
    return "." + current.substr(current.rfind('/') + 1) + ".pile";
}

std::string pile_mount_point(const std::string& current) {
    return base::child_path(base::parent_dir(current), pile_name(current));
}

Pile::Pile(Kernel& kernel, PileDir where, std::function<void(const std::string&)> debug)
    : k_(kernel),
      ops_(kernel),
      where_(std::move(where)),
      mount_point_(base::child_path(where_.path, where_.name)),
      debug_(std::move(debug)) {}

Pile::~Pile() {
    try {
        flush();
    } catch (const std::exception& e) {
        debug(e.what());
    }
}

void Pile::clear_leftover() {
    const std::string mp = mount_point();
    struct statx stx {};
    int rc = k_.statx(where_.dir.get(), where_.name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx);
    if (rc == -ENOENT)
        return;
    base::check_rc(rc, "cannot inspect the pile's mount point \"" + mp + "\"");
    // What is mounted there can only be a pile, ours: detaching it takes
    // old mounts that were already replaced.
    while ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
           (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
        rc = k_.openat(where_.dir.get(), where_.name.c_str(),
                       O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        base::check_rc(rc, "cannot open the pile left at \"" + mp + "\"");
        Fd left(rc);
        base::check_rc(ops_.detach(left), "cannot detach the pile left at \"" + mp + "\"");
        debug("detached the pile of replaced mounts that a killed run left at " + mp);
        base::check_rc(
            k_.statx(where_.dir.get(), where_.name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx),
            "cannot inspect the pile's mount point \"" + mp + "\"");
    }
    rc = k_.unlinkat(where_.dir.get(), where_.name.c_str(),
                     S_ISDIR(stx.stx_mode) ? AT_REMOVEDIR : 0);
    if (rc < 0 && rc != -ENOENT)
        base::throw_errno(rc, "cannot remove the pile's mount point \"" + mp + "\"");
}

std::string Pile::make() {
    int rc = k_.mkdirat(where_.dir.get(), where_.name.c_str(), 0700);
    if (rc < 0 && rc != -EEXIST)
        return why_errno("cannot make its mount point", rc);
    made_dir_ = true;
    rc = k_.openat(where_.dir.get(), where_.name.c_str(),
                   O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rc < 0)
        return why_errno("cannot open its mount point", rc);
    const Fd point(rc);
    struct statx stx {};
    rc = k_.statx(point.get(), "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &stx);
    if (rc < 0)
        return why_errno("cannot inspect its mount point", rc);
    if (!(stx.stx_mask & STATX_MNT_ID_UNIQUE))
        return "the kernel does not say which mount its mount point is on";
    std::vector<char> buf;
    rc = k_.statmount(stx.stx_mnt_id, kStatmountMntBasic, buf);
    if (rc < 0)
        return why_errno("cannot read the mount its mount point is on", rc);
    StatmountHead head{};
    std::memcpy(&head, buf.data(), std::min(buf.size(), sizeof head));
    if (!(head.mask & kStatmountMntBasic))
        return "the kernel does not say the propagation of the mount its mount point is on";
    if (head.mnt_propagation & MS_SHARED)
        return "its mount point is on a shared mount, where a pile would reach the peers";

    Fd tmpfs;
    try {
        tmpfs = ops_.create("tmpfs", "tmpfs", "mode=0700", {MS_NOSUID | MS_NODEV | MS_NOEXEC});
    } catch (const std::exception& err) {
        return err.what();
    }
    if ((rc = ops_.attach(tmpfs, point, false)) < 0)
        return why_errno("cannot attach its tmpfs", rc);
    tmpfs_ = std::move(tmpfs);
    return "";
}

bool Pile::take(const Fd& top, bool file) {
    if (refused_)
        return false;
    if (!tmpfs_) {
        if (const std::string why = make(); !why.empty()) {
            refused_ = true;
            debug("replaced mounts are detached one by one, not piled at " + mount_point() + ": " +
                  why);
            return false;
        }
    }
    unsigned& count = file ? files_ : dirs_;
    const std::string spot = (file ? "f" : "d") + std::to_string(count / kStackDepth);
    int rc = 0;
    if (count % kStackDepth == 0) {
        rc = file ? k_.openat(tmpfs_.get(), spot.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
                              0600)
                  : k_.mkdirat(tmpfs_.get(), spot.c_str(), 0700);
        if (rc >= 0 && file)
            ::close(rc);
    }
    if (rc >= 0)
        rc = k_.move_mount(top.get(), "", tmpfs_.get(), spot.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
    if (rc >= 0)
        ++count;
    if (rc < 0) {
        debug("cannot move a replaced mount onto the pile at " + mount_point() + " (" +
              base::errno_text(-rc) + "); detaching it on its own");
        return false;
    }
    return true;
}

bool Pile::near(std::string_view path) const {
    return base::is_within(path, mount_point_) || base::is_within(mount_point_, path);
}

void Pile::flush() {
    const std::string mp = mount_point();
    if (tmpfs_) {
        base::check_rc(ops_.detach(tmpfs_),
                       "cannot detach the pile of replaced mounts at \"" + mp + "\"");
        tmpfs_.reset();
        dirs_ = files_ = 0;
    }
    if (!made_dir_)
        return;
    made_dir_ = false;
    // Left behind, it is removed by the next run's clear_leftover().
    const int rc = k_.unlinkat(where_.dir.get(), where_.name.c_str(), AT_REMOVEDIR);
    if (rc < 0 && rc != -ENOENT)
        debug("cannot remove the pile's mount point " + mp + ": " + base::errno_text(-rc));
}

}  // namespace nsr::reconcile
