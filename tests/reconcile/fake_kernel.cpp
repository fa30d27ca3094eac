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
    if (int r = record("openat", path))
        return r;
    return real_.openat(dirfd, path, flags, mode);
}

int FakeKernel::mkdirat(int dirfd, const char* name, mode_t mode) {
    if (int r = record("mkdirat", name))
        return r;
    return real_.mkdirat(dirfd, name, mode);
}

int FakeKernel::symlinkat(const char* target, int dirfd, const char* name) {
    if (int r = record("symlinkat", name))
        return r;
    return real_.symlinkat(target, dirfd, name);
}

int FakeKernel::readlinkat(int dirfd, const char* path, std::string& target) {
    if (int r = record("readlinkat", path))
        return r;
    return real_.readlinkat(dirfd, path, target);
}

int FakeKernel::unlinkat(int dirfd, const char* name, int flags) {
    if (int r = record("unlinkat", name))
        return r;
    return real_.unlinkat(dirfd, name, flags);
}

int FakeKernel::fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) {
    if (int r = record("fchownat", path))
        return r;
    return real_.fchownat(dirfd, path, uid, gid, flags);
}

int FakeKernel::fchmod(int fd, mode_t mode) {
    if (int r = record("fchmod", nullptr))
        return r;
    return real_.fchmod(fd, mode);
}

int FakeKernel::fstatat(int dirfd, const char* path, struct stat* st, int flags) {
    if (int r = record("fstatat", path))
        return r;
    return real_.fstatat(dirfd, path, st, flags);
}

int FakeKernel::fstatfs(int fd, struct statfs* st) {
    if (int r = record("fstatfs", nullptr))
        return r;
    return real_.fstatfs(fd, st);
}

int FakeKernel::statx(int dirfd, const char* path, int flags, unsigned mask, struct statx* out) {
    if (int r = record("statx", path))
        return r;
    return real_.statx(dirfd, path, flags, mask, out);
}

int FakeKernel::openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) {
    if (int r = record("openat2", path))
        return r;
    return real_.openat2(dirfd, path, flags, mode, resolve);
}

int FakeKernel::read_dir(int fd, std::vector<DirEntry>& entries) {
    if (int r = record("read_dir", nullptr))
        return r;
    return real_.read_dir(fd, entries);
}

int FakeKernel::statmount(uint64_t mnt_id, uint64_t mask, std::vector<char>& out) {
    if (int r = record("statmount", nullptr))
        return r;
    return real_.statmount(mnt_id, mask, out);
}

int FakeKernel::syncfs(int fd) {
    if (int r = record("syncfs", nullptr))
        return r;
    return real_.syncfs(fd);
}

int FakeKernel::renameat2(int olddirfd, const char* oldname, int newdirfd, const char* newname,
                          unsigned flags) {
    if (int r = record("renameat2", oldname))
        return r;
    return real_.renameat2(olddirfd, oldname, newdirfd, newname, flags);
}

int FakeKernel::open_tree(int dirfd, const char* path, unsigned flags) {
    if (int r = record("open_tree", path))
        return r;
    return real_.open_tree(dirfd, path, flags);
}

int FakeKernel::move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
                           unsigned flags) {
    if (int r = record("move_mount", to_path))
        return r;
    return real_.move_mount(from_dirfd, from_path, to_dirfd, to_path, flags);
}

int FakeKernel::fsopen(const char* fstype, unsigned flags) {
    if (int r = record("fsopen", fstype))
        return r;
    return real_.fsopen(fstype, flags);
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
    if (int r = record("fsmount", nullptr))
        return r;
    return real_.fsmount(fsfd, flags, attr_flags);
}

int FakeKernel::mount_setattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                              size_t size) {
    if (int r = record("mount_setattr", path))
        return r;
    return real_.mount_setattr(dirfd, path, flags, attr, size);
}

int FakeKernel::mount(const char* source, const char* target, const char* fstype,
                      unsigned long flags, const char* data) {
    if (int r = record("mount", target))
        return r;
    return real_.mount(source, target, fstype, flags, data);
}

int FakeKernel::umount2(const char* target, int flags) {
    if (int r = record("umount2", target))
        return r;
    return real_.umount2(target, flags);
}

}  // namespace nsr::reconcile
