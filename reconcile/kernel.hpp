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

#include <cstdint>
#include <string>
#include <vector>

// Linux 6.5 added MOVE_MOUNT_BENEATH; Debian 12's kernel headers predate it.
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif
// Linux 6.8 added the unique mount id (never reused) to statx(2), and
// statmount(2); Debian 12's headers predate both.
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

namespace nsr::reconcile {

// statfs f_type values the reconciler tells apart.
inline constexpr long kSquashfsMagic = 0x73717368;
inline constexpr long kTmpfsMagic = 0x01021994;

// statmount(2)'s request bits (Linux 6.8 to 6.15; the kernel says in the
// result's mask which ones it filled in).
inline constexpr uint64_t kStatmountSbBasic = 0x0001;
inline constexpr uint64_t kStatmountMntBasic = 0x0002;
inline constexpr uint64_t kStatmountMntRoot = 0x0008;
inline constexpr uint64_t kStatmountMntPoint = 0x0010;
inline constexpr uint64_t kStatmountFsType = 0x0020;
inline constexpr uint64_t kStatmountMntOpts = 0x0080;
inline constexpr uint64_t kStatmountFsSubtype = 0x0100;
inline constexpr uint64_t kStatmountSbSource = 0x0200;
inline constexpr uint64_t kStatmountSupportedMask = 0x1000;

// The fixed part of the kernel's struct statmount, as Linux 6.15 defines it
// (later kernels only use spare fields). The strings follow it in the same
// buffer; each string field is an offset from the end of this part.
struct StatmountHead {
    uint32_t size;  // the whole result, strings included
    uint32_t mnt_opts;
    uint64_t mask;  // the fields the kernel filled in
    uint32_t sb_dev_major;
    uint32_t sb_dev_minor;
    uint64_t sb_magic;
    uint32_t sb_flags;  // SB_RDONLY, SB_SYNCHRONOUS, SB_DIRSYNC, SB_LAZYTIME
    uint32_t fs_type;
    uint64_t mnt_id;  // unique ids, as statx's STATX_MNT_ID_UNIQUE
    uint64_t mnt_parent_id;
    uint32_t mnt_id_old;  // the ids /proc/self/mountinfo shows
    uint32_t mnt_parent_id_old;
    uint64_t mnt_attr;         // MOUNT_ATTR_*
    uint64_t mnt_propagation;  // MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE
    uint64_t mnt_peer_group;
    uint64_t mnt_master;
    uint64_t propagate_from;
    uint32_t mnt_root;
    uint32_t mnt_point;
    uint64_t mnt_ns_id;
    uint32_t fs_subtype;
    uint32_t sb_source;
    uint32_t opt_num;
    uint32_t opt_array;
    uint32_t opt_sec_num;
    uint32_t opt_sec_array;
    uint64_t supported_mask;  // the request bits this kernel knows
    uint32_t mnt_uidmap_num;
    uint32_t mnt_uidmap;
    uint32_t mnt_gidmap_num;
    uint32_t mnt_gidmap;
    uint64_t spare[43];
};
static_assert(sizeof(StatmountHead) == 512, "struct statmount's fixed part is 512 bytes");

// One entry of a directory, as getdents64(2) lists it.
struct DirEntry {
    std::string name;
    unsigned char type;  // DT_DIR, DT_REG, DT_LNK, ... or DT_UNKNOWN
};

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
    // statx(2). A field the kernel does not know stays out of out->stx_mask.
    virtual int statx(int dirfd, const char* path, int flags, unsigned mask, struct statx* out) = 0;
    // openat2(2) with struct open_how {FLAGS, MODE, RESOLVE} (RESOLVE_* bits).
    // -ENOSYS on kernels before 5.6.
    virtual int openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) = 0;
    // Every entry of the open directory FD from its current offset on, "."
    // and ".." left out, in the order getdents64(2) gives them.
    virtual int read_dir(int fd, std::vector<DirEntry>& entries) = 0;
    // statmount(2) of the mount with unique id MNT_ID, asking for the MASK
    // fields: OUT receives the StatmountHead and its strings. -ENOSYS before
    // Linux 6.8; -ENOENT when no such mount is in the caller's namespace.
    virtual int statmount(uint64_t mnt_id, uint64_t mask, std::vector<char>& out) = 0;
    // Flushes the filesystem FD is on; for a volatile overlay, reports a
    // writeback error of its upper filesystem since it was mounted.
    virtual int syncfs(int fd) = 0;
    // renameat2(2); RENAME_NOREPLACE refuses to replace NEWNAME.
    virtual int renameat2(int olddirfd, const char* oldname, int newdirfd, const char* newname,
                          unsigned flags) = 0;

    // Mounts: the new API.
    virtual int open_tree(int dirfd, const char* path, unsigned flags) = 0;
    // open_tree(2) that also applies ATTR (mount_setattr(2)'s, to the whole
    // copy with AT_RECURSIVE) before returning it. -ENOSYS before Linux 6.15.
    virtual int open_tree_attr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr,
                               size_t size) = 0;
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
};

}  // namespace nsr::reconcile
