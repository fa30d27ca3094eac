#include "reconcile/kernel.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

// <sys/mount.h> would clash with <linux/mount.h> (glibc 2.36), so every
// mount call, the classic ones included, goes through syscall(2).

namespace nsr::reconcile {

namespace {

int ret(long r) {
    return r < 0 ? -errno : static_cast<int>(r);
}

}  // namespace

int LinuxKernel::openat(int dirfd, const char* path, int flags, mode_t mode) {
    return ret(::openat(dirfd, path, flags, mode));
}

int LinuxKernel::mkdirat(int dirfd, const char* name, mode_t mode) {
    return ret(::mkdirat(dirfd, name, mode));
}

int LinuxKernel::symlinkat(const char* target, int dirfd, const char* name) {
    return ret(::symlinkat(target, dirfd, name));
}

int LinuxKernel::readlinkat(int dirfd, const char* path, std::string& target) {
    // readlinkat(2) truncates silently; a result that fills the buffer may
    // have been cut short, so grow and retry.
    std::string buf(256, '\0');
    for (;;) {
        ssize_t n = ::readlinkat(dirfd, path, buf.data(), buf.size());
        if (n < 0)
            return -errno;
        if (static_cast<size_t>(n) < buf.size()) {
            buf.resize(static_cast<size_t>(n));
            target = std::move(buf);
            return 0;
        }
        buf.resize(buf.size() * 2);
    }
}

int LinuxKernel::unlinkat(int dirfd, const char* name, int flags) {
    return ret(::unlinkat(dirfd, name, flags));
}

int LinuxKernel::fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) {
    return ret(::fchownat(dirfd, path, uid, gid, flags));
}

int LinuxKernel::fchmod(int fd, mode_t mode) {
    return ret(::fchmod(fd, mode));
}

int LinuxKernel::fstatat(int dirfd, const char* path, struct stat* st, int flags) {
    return ret(::fstatat(dirfd, path, st, flags));
}

int LinuxKernel::fstatfs(int fd, struct statfs* st) {
    return ret(::fstatfs(fd, st));
}

int LinuxKernel::mount_id(int fd, long& id) {
    struct statx stx {};
    if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
        return -errno;
    // Kernels before 5.8 accept the request but leave the field unset.
    if (!(stx.stx_mask & STATX_MNT_ID))
        return -EOPNOTSUPP;
    id = static_cast<long>(stx.stx_mnt_id);
    return 0;
}

int LinuxKernel::syncfs(int fd) {
    return ret(::syncfs(fd));
}

int LinuxKernel::renameat2(int olddirfd, const char* oldname, int newdirfd, const char* newname,
                           unsigned flags) {
    return ret(::syscall(SYS_renameat2, olddirfd, oldname, newdirfd, newname, flags));
}

int LinuxKernel::open_tree(int dirfd, const char* path, unsigned flags) {
    return ret(::syscall(SYS_open_tree, dirfd, path, flags));
}

int LinuxKernel::move_mount(int from_dirfd, const char* from_path, int to_dirfd,
                            const char* to_path, unsigned flags) {
    return ret(::syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags));
}

int LinuxKernel::fsopen(const char* fstype, unsigned flags) {
    return ret(::syscall(SYS_fsopen, fstype, flags));
}

int LinuxKernel::fsconfig(int fd, unsigned cmd, const char* key, const char* value, int aux) {
    return ret(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}

int LinuxKernel::fsmount(int fsfd, unsigned flags, unsigned attr_flags) {
    return ret(::syscall(SYS_fsmount, fsfd, flags, attr_flags));
}

int LinuxKernel::mount_setattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                               size_t size) {
    return ret(::syscall(SYS_mount_setattr, dirfd, path, flags, attr, size));
}

int LinuxKernel::mount(const char* source, const char* target, const char* fstype,
                       unsigned long flags, const char* data) {
    return ret(::syscall(SYS_mount, source, target, fstype, flags, data));
}

int LinuxKernel::umount2(const char* target, int flags) {
    return ret(::syscall(SYS_umount2, target, flags));
}

}  // namespace nsr::reconcile
