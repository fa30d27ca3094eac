// What nsreconcile remembers about the volatile overlays it mounted, so that
// it can tell later whether an upper/work pair left behind by one may be
// mounted again (volatile_reuse.hpp).
//
// A volatile overlay skips every sync. When it goes away, the kernel leaves
// WORK/work/incompat/volatile behind and refuses to mount the pair again
// (EINVAL on Linux 6.18; the kernel log says "overlay with incompat feature
// 'volatile' cannot be mounted"), because nothing proves the upper
// directory was written out.
// The evidence kept here is what userspace can prove instead: that
// nsreconcile mounted the pair volatile in this boot, on which upper
// filesystem, and whether its last unmount was nsreconcile's own, preceded
// by a successful syncfs inside the overlay.
//
// One record a pair, a small text file in the store's directory
// (/run/nsreconcile/volatile by default: a reboot empties /run). The store
// works through a directory fd opened before setns, like the other state.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "base/fd.hpp"
#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

inline constexpr const char* kVolatileStoreDir = "/run/nsreconcile/volatile";

// The identity of an upper directory and its filesystem that userspace can
// see: the device number, statfs's f_fsid and the directory's inode.
struct UpperIdentity {
    dev_t dev = 0;
    uint64_t fsid = 0;
    ino_t ino = 0;
    bool operator==(const UpperIdentity&) const = default;
};

// Reads the identity of the upper directory open at FD (any kind of fd).
// -errno on failure.
int upper_identity_read(Kernel& kernel, int fd, UpperIdentity& out);

// The kernel's marker directory of a pair, WORK/work/incompat/volatile, is
// made anew by every volatile mount of the pair and left alone until the
// next one. A marker with another inode or ctime than the one recorded
// right after nsreconcile's mount was left by a later mount that
// nsreconcile did not make.
struct MarkerIdentity {
    ino_t ino = 0;
    int64_t ctime_sec = 0;
    int64_t ctime_nsec = 0;
    bool operator==(const MarkerIdentity&) const = default;
};

// The identity of NAME in the directory DIRFD, not following a symlink.
// -errno on failure.
int marker_identity_read(Kernel& kernel, int dirfd, const char* name, MarkerIdentity& out);

// The boot id (/proc/sys/kernel/random/boot_id), without the newline.
// Throws std::system_error when it cannot be read.
std::string boot_id_read();

// "20251130T131200Z": a UTC time for records and quarantine names.
std::string utc_stamp(std::time_t t);

struct VolatileRecord {
    std::string upper;
    std::string work;
    std::string boot_id;
    UpperIdentity identity;
    MarkerIdentity marker;  // the marker that mount made
    // false: mounted, and no unmount by nsreconcile recorded since.
    bool unmounted = false;
    // The result of the syncfs inside the overlay before that unmount: 0 or
    // an errno.
    int sync_errno = 0;
    std::string mounted_at;
    std::string unmounted_at;
    bool operator==(const VolatileRecord&) const = default;
};

class VolatileStore {
  public:
    // The store at PATH (absolute and clean), made only when a record is
    // first written: its directories are then created (mode 0700) one at a
    // time, without following symlinks, from "/" as it was opened here.
    // Opened before setns, it is the caller's namespace's, wherever the
    // process goes afterwards. Nothing is created as long as no volatile
    // overlay is mounted. Throws std::system_error when "/" cannot be
    // opened.
    static VolatileStore deferred(const std::string& path);
    // The same, the directories made now. Throws std::system_error naming
    // PATH.
    static VolatileStore open(const std::string& path);

    // The record of UPPER/WORK (clean absolute paths). nullopt when there
    // is none (or no store yet); a record that cannot be read counts as
    // none, and WHY (if given) then says why. Throws std::system_error for
    // I/O errors other than a missing record.
    std::optional<VolatileRecord> find(const std::string& upper, const std::string& work,
                                       std::string* why = nullptr);

    // After a volatile overlay of UPPER/WORK was made, before anyone could
    // write to it: a new record (replacing any older one) with BOOT_ID, the
    // upper's IDENTITY and the MARKER the mount made. Written atomically;
    // throws std::system_error.
    void record_mounted(const std::string& upper, const std::string& work,
                        const std::string& boot_id, const UpperIdentity& identity,
                        const MarkerIdentity& marker, std::time_t now);
    // After nsreconcile unmounted that overlay, SYNC_ERRNO being the result
    // of the syncfs inside it right before. Returns false (and records
    // nothing) when there is no record of the mount: an unmount alone does
    // not prove who mounted it.
    bool record_unmounted(const std::string& upper, const std::string& work, int sync_errno,
                          std::time_t now);
    // Drops the record (after the pair was set aside). 0 or -errno; a
    // missing record is 0.
    int forget(const std::string& upper, const std::string& work);

    // The record's file name in the store, for messages and tests.
    static std::string file_name(const std::string& upper, const std::string& work);

  private:
    VolatileStore(base::Fd root, std::string path);
    // The store's directory, made first with CREATE; nullptr when it does
    // not exist and CREATE is false. Throws std::system_error.
    const base::Fd* dir(bool create);
    void write(const VolatileRecord& r);

    base::Fd root_;
    std::string path_;
    base::Fd dir_;
};

}  // namespace nsr::reconcile
