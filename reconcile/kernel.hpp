// The system calls the reconciler makes, behind an interface so that unit
// tests can record them and make the k-th one fail. Every method returns
// what the system call returns on success (0 or a new fd) and -errno on
// failure (base::check_rc turns that into an error); none of them throws.
#pragma once

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <string>

// Linux 6.5 added MOVE_MOUNT_BENEATH; Debian 12's kernel headers predate it.
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif

namespace nsr::reconcile {

// statfs f_type values the reconciler tells apart.
inline constexpr long kSquashfsMagic = 0x73717368;
inline constexpr long kTmpfsMagic = 0x01021994;

class Kernel {
  public:
    virtual ~Kernel() = default;

    // Paths and files.
    virtual int openat(int dirfd, const char* path, int flags, mode_t mode = 0) = 0;
    virtual int mkdirat(int dirfd, const char* name, mode_t mode) = 0;
    virtual int symlinkat(const char* target, int dirfd, const char* name) = 0;
    virtual int readlinkat(int dirfd, const char* path, std::string& target) = 0;
    virtual int unlinkat(int dirfd, const char* name, int flags) = 0;
    virtual int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) = 0;
    // Needs a real fd: an O_PATH fd gives EBADF.
    virtual int fchmod(int fd, mode_t mode) = 0;
    virtual int fstatat(int dirfd, const char* path, struct stat* st, int flags) = 0;
    virtual int fstatfs(int fd, struct statfs* st) = 0;
    // Mount id (STATX_MNT_ID) of what FD refers to.
    virtual int mount_id(int fd, long& id) = 0;
    // Flushes the filesystem FD is on; for a volatile overlay, reports a
    // writeback error of its upper filesystem since it was mounted.
    virtual int syncfs(int fd) = 0;
    // renameat2(2); RENAME_NOREPLACE refuses to replace NEWNAME.
    virtual int renameat2(int olddirfd, const char* oldname, int newdirfd, const char* newname,
                          unsigned flags) = 0;

    // Mounts: the new API.
    virtual int open_tree(int dirfd, const char* path, unsigned flags) = 0;
    virtual int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
                           unsigned flags) = 0;
    virtual int fsopen(const char* fstype, unsigned flags) = 0;
    virtual int fsconfig(int fd, unsigned cmd, const char* key, const char* value, int aux) = 0;
    virtual int fsmount(int fsfd, unsigned flags, unsigned attr_flags) = 0;
    virtual int mount_setattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                              size_t size) = 0;

    // Mounts: the classic calls.
    virtual int mount(const char* source, const char* target, const char* fstype,
                      unsigned long flags, const char* data) = 0;
    virtual int umount2(const char* target, int flags) = 0;
};

// The real system calls.
class LinuxKernel final : public Kernel {
  public:
    int openat(int dirfd, const char* path, int flags, mode_t mode = 0) override;
    int mkdirat(int dirfd, const char* name, mode_t mode) override;
    int symlinkat(const char* target, int dirfd, const char* name) override;
    int readlinkat(int dirfd, const char* path, std::string& target) override;
    int unlinkat(int dirfd, const char* name, int flags) override;
    int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) override;
    int fchmod(int fd, mode_t mode) override;
    int fstatat(int dirfd, const char* path, struct stat* st, int flags) override;
    int fstatfs(int fd, struct statfs* st) override;
    int mount_id(int fd, long& id) override;
    int syncfs(int fd) override;
    int renameat2(int olddirfd, const char* oldname, int newdirfd, const char* newname,
                  unsigned flags) override;
    int open_tree(int dirfd, const char* path, unsigned flags) override;
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
};

}  // namespace nsr::reconcile
