#include "reconcile/kernel.hpp"

#include <dirent.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

// <sys/mount.h> would clash with <linux/mount.h> (glibc 2.36), so every
// mount call, the classic ones included, goes through syscall(2).

// Linux 6.8's statmount(2) has the same number on every architecture;
// Debian 12's headers predate it.
#ifndef SYS_statmount
#define SYS_statmount 457
#endif
// So has Linux 6.15's open_tree_attr(2).
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

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

int LinuxKernel::statx(int dirfd, const char* path, int flags, unsigned mask, struct statx* out) {
    return ret(::statx(dirfd, path, flags, mask, out));
}

int LinuxKernel::openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) {
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags);
    how.mode = mode;
    how.resolve = resolve;
    return ret(::syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}

int LinuxKernel::read_dir(int fd, std::vector<DirEntry>& entries) {
    // struct linux_dirent64: d_ino, d_off, d_reclen, d_type, then the name.
    constexpr size_t kReclen = 16, kType = 18, kName = 19;
    alignas(8) char buf[16384];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        for (long pos = 0; pos < n;) {
            unsigned short reclen = 0;
            std::memcpy(&reclen, buf + pos + kReclen, sizeof reclen);
            const char* name = buf + pos + kName;
            if (std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0)
                entries.push_back({name, static_cast<unsigned char>(buf[pos + kType])});
            pos += reclen;
        }
    }
}

int LinuxKernel::statmount(uint64_t mnt_id, uint64_t mask, std::vector<char>& out) {
    struct {
        uint32_t size;
        uint32_t spare;
        uint64_t mnt_id;
        uint64_t param;
    } req{24, 0, mnt_id, mask};  // MNT_ID_REQ_SIZE_VER0
    if (out.size() < 2 * sizeof(StatmountHead))
        out.resize(2 * sizeof(StatmountHead));
    // EOVERFLOW: the strings did not fit; the kernel does not say how much
    // room they need, so grow and ask again.
    for (;;) {
        const long r = ::syscall(SYS_statmount, &req, out.data(), out.size(), 0);
        if (r == 0)
            return 0;
        if (errno != EOVERFLOW || out.size() >= (size_t{1} << 24))
            return -errno;
        out.resize(out.size() * 2);
    }
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

int LinuxKernel::open_tree_attr(int dirfd, const char* path, unsigned flags,
                                struct mount_attr* attr, size_t size) {
    return ret(::syscall(SYS_open_tree_attr, dirfd, path, flags, attr, size));
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
