// A Kernel for unit tests: every call reaches the real kernel through a
// LinuxKernel and is recorded, except the one told to fail, which returns
// the chosen errno without reaching the kernel. A hook can act right before
// a call reaches the kernel, to widen a race to certain.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

class FakeKernel final : public Kernel {
  public:
    struct Call {
        std::string name;
        // The main path argument ("" when there is none).
        std::string path;
    };

    // The K-th call (0-based, counting every call) returns -ERR.
    void fail_at(size_t k, int err) {
        fail_index_ = k;
        fail_errno_ = err;
    }
    // Called with each call, once recorded, before it reaches the kernel.
    void before_each(std::function<void(const Call&)> hook) { before_ = std::move(hook); }
    // Every fsconfig(CMD, KEY) returns -ERR, as a kernel that does not know
    // that parameter in that form would.
    void refuse_fsconfig(unsigned cmd, std::string key, int err) {
        refused_fsconfig_.push_back({cmd, std::move(key), err});
    }
    // Whether the failure asked for by fail_at() was delivered.
    bool failed() const { return failed_; }
    const std::vector<Call>& calls() const { return calls_; }

    int openat(int dirfd, const char* path, int flags, mode_t mode = 0) override;
    int mkdirat(int dirfd, const char* name, mode_t mode) override;
    int symlinkat(const char* target, int dirfd, const char* name) override;
    int readlinkat(int dirfd, const char* path, std::string& target) override;
    int unlinkat(int dirfd, const char* name, int flags) override;
    int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) override;
    int fchmod(int fd, mode_t mode) override;
    int fstatat(int dirfd, const char* path, struct stat* st, int flags) override;
    int fstatfs(int fd, struct statfs* st) override;
    int statx(int dirfd, const char* path, int flags, unsigned mask, struct statx* out) override;
    int openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) override;
    int read_dir(int fd, std::vector<DirEntry>& entries) override;
    int statmount(uint64_t mnt_id, uint64_t mask, std::vector<char>& out) override;
    int syncfs(int fd) override;
    int renameat2(int olddirfd, const char* oldname, int newdirfd, const char* newname,
                  unsigned flags) override;
    int open_tree(int dirfd, const char* path, unsigned flags) override;
    int open_tree_attr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                       size_t size) override;
    int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
                   unsigned flags) override;
    int fsopen(const char* fstype, unsigned flags) override;
    int fsconfig(int fd, unsigned cmd, const char* key, const char* value, int aux) override;
    int fsmount(int fsfd, unsigned flags, unsigned attr_flags) override;
    int mount_setattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                      size_t size) override;
    int mount(const char* source, const char* target, const char* fstype, unsigned long flags,
              const char* data) override;
    int umount2(const char* target, int flags) override;

  private:
    // Records the call; returns -errno when this call is the one to fail.
    int record(const char* name, const char* path);
    // Records the call NAME at PATH, then, unless it is the one to fail,
    // makes it on the real kernel with ARGS.
    template <auto Call, typename... Args>
    int pass(const char* name, const char* path, Args&&... args) {
        if (int r = record(name, path))
            return r;
        return (real_.*Call)(std::forward<Args>(args)...);
    }

    struct Refusal {
        unsigned cmd;
        std::string key;
        int err;
    };

    LinuxKernel real_;
    std::vector<Refusal> refused_fsconfig_;
    std::vector<Call> calls_;
    std::function<void(const Call&)> before_;
    size_t fail_index_ = static_cast<size_t>(-1);
    int fail_errno_ = 0;
    bool failed_ = false;
};

}  // namespace nsr::reconcile
