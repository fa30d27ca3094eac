#include "tests/reconcile/fake_kernel.hpp"

namespace nsr::reconcile {

int FakeKernel::record(const char* name, const char* path) {
    calls_.push_back({name, path ? path : ""});
    if (calls_.size() - 1 != fail_index_) {
        if (before_)
            before_(calls_.back());
        return 0;
    }
    failed_ = true;
    return -fail_errno_;
}

int FakeKernel::openat(int dirfd, const char* path, int flags, mode_t mode) {
    return pass<&LinuxKernel::openat>("openat", path, dirfd, path, flags, mode);
}

int FakeKernel::mkdirat(int dirfd, const char* name, mode_t mode) {
    return pass<&LinuxKernel::mkdirat>("mkdirat", name, dirfd, name, mode);
}

int FakeKernel::symlinkat(const char* target, int dirfd, const char* name) {
    return pass<&LinuxKernel::symlinkat>("symlinkat", name, target, dirfd, name);
}

int FakeKernel::readlinkat(int dirfd, const char* path, std::string& target) {
    return pass<&LinuxKernel::readlinkat>("readlinkat", path, dirfd, path, target);
}

int FakeKernel::unlinkat(int dirfd, const char* name, int flags) {
    return pass<&LinuxKernel::unlinkat>("unlinkat", name, dirfd, name, flags);
}

int FakeKernel::fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) {
    return pass<&LinuxKernel::fchownat>("fchownat", path, dirfd, path, uid, gid, flags);
}

int FakeKernel::fchmod(int fd, mode_t mode) {
    return pass<&LinuxKernel::fchmod>("fchmod", nullptr, fd, mode);
}

int FakeKernel::fstatat(int dirfd, const char* path, struct stat* st, int flags) {
    return pass<&LinuxKernel::fstatat>("fstatat", path, dirfd, path, st, flags);
}

int FakeKernel::fstatfs(int fd, struct statfs* st) {
    return pass<&LinuxKernel::fstatfs>("fstatfs", nullptr, fd, st);
}

int FakeKernel::statx(int dirfd, const char* path, int flags, unsigned mask, struct statx* out) {
    return pass<&LinuxKernel::statx>("statx", path, dirfd, path, flags, mask, out);
}

int FakeKernel::openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) {
    return pass<&LinuxKernel::openat2>("openat2", path, dirfd, path, flags, mode, resolve);
}

int FakeKernel::read_dir(int fd, std::vector<DirEntry>& entries) {
    return pass<&LinuxKernel::read_dir>("read_dir", nullptr, fd, entries);
}

int FakeKernel::statmount(uint64_t mnt_id, uint64_t mask, std::vector<char>& out) {
    return pass<&LinuxKernel::statmount>("statmount", nullptr, mnt_id, mask, out);
}

int FakeKernel::syncfs(int fd) {
    return pass<&LinuxKernel::syncfs>("syncfs", nullptr, fd);
}

int FakeKernel::renameat2(int olddirfd, const char* oldname, int newdirfd, const char* newname,
                          unsigned flags) {
    return pass<&LinuxKernel::renameat2>("renameat2", oldname, olddirfd, oldname, newdirfd, newname,
                                         flags);
}

int FakeKernel::open_tree(int dirfd, const char* path, unsigned flags) {
    return pass<&LinuxKernel::open_tree>("open_tree", path, dirfd, path, flags);
}

int FakeKernel::open_tree_attr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                               size_t size) {
    return pass<&LinuxKernel::open_tree_attr>("open_tree_attr", path, dirfd, path, flags, attr,
                                              size);
}

int FakeKernel::move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
                           unsigned flags) {
    return pass<&LinuxKernel::move_mount>("move_mount", to_path, from_dirfd, from_path, to_dirfd,
                                          to_path, flags);
}

int FakeKernel::fsopen(const char* fstype, unsigned flags) {
    return pass<&LinuxKernel::fsopen>("fsopen", fstype, fstype, flags);
}

int FakeKernel::fsconfig(int fd, unsigned cmd, const char* key, const char* value, int aux) {
    if (int r = record("fsconfig", key))
        return r;
    for (const auto& refusal : refused_fsconfig_) {
        if (refusal.cmd == cmd && key && refusal.key == key)
            return -refusal.err;
    }
    return real_.fsconfig(fd, cmd, key, value, aux);
}

int FakeKernel::fsmount(int fsfd, unsigned flags, unsigned attr_flags) {
    return pass<&LinuxKernel::fsmount>("fsmount", nullptr, fsfd, flags, attr_flags);
}

int FakeKernel::mount_setattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                              size_t size) {
    return pass<&LinuxKernel::mount_setattr>("mount_setattr", path, dirfd, path, flags, attr, size);
}

int FakeKernel::mount(const char* source, const char* target, const char* fstype,
                      unsigned long flags, const char* data) {
    return pass<&LinuxKernel::mount>("mount", target, source, target, fstype, flags, data);
}

int FakeKernel::umount2(const char* target, int flags) {
    return pass<&LinuxKernel::umount2>("umount2", target, target, flags);
}

}  // namespace nsr::reconcile
