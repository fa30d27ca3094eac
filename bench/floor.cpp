// The least a snap-update-ns drop-in must do for whole_process.py's
// operations, as plain system calls: the floor the tool is measured
// against. Every mode takes the lock, enters the namespace, does its mount
// work and saves the current profile as snap-update-ns does (a temporary
// file, fsync, rename, fsync of the directory), so that the comparison
// measures the tool's own overhead, not bookkeeping.
//
// usage: floor MODE NSFILE N SRCDIR DSTDIR DESIRED CURRENT LOCK
//   classic-apply    mount(MS_BIND) of SRCDIR/dI on DSTDIR/mI, then a
//                    read-only remount
//   new-apply        open_tree(OPEN_TREE_CLONE) + mount_setattr(ro) +
//                    move_mount
//   noop             reads both profiles and compares them, then checks
//                    every mount point against its source: two statx
//                    (same device and inode, the mount point a mount root)
//   classic-refresh  umount2(MNT_DETACH), then classic-apply's two calls
//   new-refresh      new-apply's clone, attached beneath the old mount
//                    (MOVE_MOUNT_BENEATH), then umount2 of the old one
//   bgmounts         N binds of SRCDIR on DSTDIR/bI (made here), for
//                    background mounts; NSFILE "-" stays in this namespace
// Exits 1 with a message on the first failure.
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

namespace {

// <sys/mount.h> clashes with <linux/mount.h> in glibc 2.36: the flags the
// classic calls need, by value.
constexpr unsigned long kMsRdonly = 1, kMsRemount = 32, kMsBind = 4096;
constexpr int kMntDetach = 2;

[[noreturn]] void die(const char* what, const std::string& path) {
    std::fprintf(stderr, "floor: %s %s: %s\n", what, path.c_str(), std::strerror(errno));
    std::exit(1);
}

std::string slurp(const std::string& path) {
    std::string text;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return text;
        die("cannot open", path);
    }
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
        if (n < 0)
            die("cannot read", path);
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return text;
}

void save(const std::string& text, const std::string& current) {
    const std::string tmp = current + ".floor~";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::fsync(fd) != 0 || ::close(fd) != 0)
        die("cannot write", tmp);
    if (::rename(tmp.c_str(), current.c_str()) != 0)
        die("cannot rename to", current);
    const std::string dir = current.substr(0, current.rfind('/'));
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || ::fsync(dfd) != 0)
        die("cannot sync", dir);
    ::close(dfd);
}

int clone_read_only(const std::string& src) {
    const int fd = static_cast<int>(
        ::syscall(SYS_open_tree, AT_FDCWD, src.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (fd < 0)
        die("cannot clone", src);
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
        die("cannot make read-only", src);
    return fd;
}

void move(int fd, const std::string& dst, unsigned flags) {
    if (::syscall(SYS_move_mount, fd, "", AT_FDCWD, dst.c_str(), MOVE_MOUNT_F_EMPTY_PATH | flags))
        die("cannot attach at", dst);
    ::close(fd);
}

void bind_read_only(const std::string& src, const std::string& dst) {
    if (::syscall(SYS_mount, src.c_str(), dst.c_str(), nullptr, kMsBind, nullptr) != 0)
        die("cannot bind", dst);
    if (::syscall(SYS_mount, nullptr, dst.c_str(), nullptr, kMsRemount | kMsBind | kMsRdonly,
                  nullptr) != 0)
        die("cannot remount", dst);
}

void detach(const std::string& dst) {
    if (::syscall(SYS_umount2, dst.c_str(), kMntDetach) != 0)
        die("cannot detach", dst);
}

// Same device and inode, and the mount point is the root of a mount.
void check_bind(const std::string& src, const std::string& dst) {
    struct statx a {
    }, b{};
    if (::statx(AT_FDCWD, src.c_str(), AT_SYMLINK_NOFOLLOW, STATX_INO, &a) != 0)
        die("cannot inspect", src);
    if (::statx(AT_FDCWD, dst.c_str(), AT_SYMLINK_NOFOLLOW, STATX_INO, &b) != 0)
        die("cannot inspect", dst);
    if (a.stx_ino != b.stx_ino || a.stx_dev_major != b.stx_dev_major ||
        a.stx_dev_minor != b.stx_dev_minor || !(b.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
        errno = EINVAL;
        die("not mounted from its source:", dst);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 9) {
        std::fprintf(stderr, "usage: floor MODE NSFILE N SRCDIR DSTDIR DESIRED CURRENT LOCK\n");
        return 2;
    }
    const std::string mode = argv[1], nsfile = argv[2], src = argv[4], dst = argv[5];
    const std::string desired = argv[6], current = argv[7], lock = argv[8];
    const long n = std::strtol(argv[3], nullptr, 10);
    if (mode == "bgmounts") {
        for (long i = 0; i < n; ++i) {
            const std::string at = dst + "/b" + std::to_string(i);
            if (::mkdir(at.c_str(), 0755) != 0 && errno != EEXIST)
                die("cannot make", at);
            if (::syscall(SYS_mount, src.c_str(), at.c_str(), nullptr, kMsBind, nullptr) != 0)
                die("cannot bind", at);
        }
        return 0;
    }
    const int lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX) != 0)
        die("cannot lock", lock);
    const std::string want = slurp(desired);
    const std::string had = slurp(current);
    const int ns = ::open(nsfile.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || ::setns(ns, CLONE_NEWNS) != 0)
        die("cannot enter", nsfile);
    // The no-op compares the profiles (the tool decides from them what to
    // check) and then checks every entry whatever they say.
    if (mode == "noop" && want != had)
        std::fprintf(stderr, "floor: the current profile differs from the desired one\n");
    for (long i = 0; i < n; ++i) {
        const std::string s = src + "/d" + std::to_string(i);
        const std::string d = dst + "/m" + std::to_string(i);
        if (mode == "classic-apply") {
            bind_read_only(s, d);
        } else if (mode == "new-apply") {
            move(clone_read_only(s), d, 0);
        } else if (mode == "noop") {
            check_bind(s, d);
        } else if (mode == "classic-refresh") {
            detach(d);
            bind_read_only(s, d);
        } else if (mode == "new-refresh") {
            move(clone_read_only(s), d, MOVE_MOUNT_BENEATH);
            detach(d);
        } else {
            std::fprintf(stderr, "floor: unknown mode %s\n", mode.c_str());
            return 2;
        }
    }
    save(want, current);
    return 0;
}
