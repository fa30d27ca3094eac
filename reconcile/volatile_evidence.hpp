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

// Where nsreconcile's overlay of a pair stands. Each step that leaves the
// pair in a new state is recorded before it is made, so that a run killed
// between the record and the step (or between the step and the next
// record) leaves a record the next run can read:
//   Mounting    about to be made (the marker is not known yet);
//   Attaching   made, with this marker, about to be attached;
//   Mounted     attached (or found in place by a later run);
//   Unmounting  synced inside (sync_errno), about to be unmounted;
//   Unmounted   unmounted by nsreconcile, not lazily.
// volatile_reuse.hpp says what each is taken for when the pair is mounted
// again.
enum class VolatileState { Mounting, Attaching, Mounted, Unmounting, Unmounted };

std::string_view volatile_state_name(VolatileState s);

struct VolatileRecord {
    std::string upper;
    std::string work;
    std::string boot_id;
    UpperIdentity identity;
    MarkerIdentity marker;  // the marker that mount made (none while Mounting)
    VolatileState state = VolatileState::Mounted;
    // Unmounting and Unmounted: the result of the syncfs inside the overlay
    // before that unmount: 0 or an errno.
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

    // Before a volatile overlay of UPPER/WORK is made: a new record
    // (replacing any older one), Mounting, with BOOT_ID and the upper's
    // IDENTITY. Written atomically; throws std::system_error.
    void record_mounting(const std::string& upper, const std::string& work,
                         const std::string& boot_id, const UpperIdentity& identity,
                         std::time_t now);
    // After that overlay was made, before it is attached (before anyone
    // could write to it): Attaching, with the MARKER the mount made. Throws
    // std::system_error.
    void record_mounted(const std::string& upper, const std::string& work,
                        const std::string& boot_id, const UpperIdentity& identity,
                        const MarkerIdentity& marker, std::time_t now);
    // Once it is attached, or when a later run finds it in place: Mounted.
    // Returns false (and records nothing) when there is no record, or when
    // it is already Mounted. Throws std::system_error.
    bool record_attached(const std::string& upper, const std::string& work);
    // Right before nsreconcile unmounts that overlay (Unmounting), and
    // right after (Unmounted), SYNC_ERRNO being the result of the syncfs
    // inside it before. Returns false (and records nothing) when there is
    // no record of the mount: an unmount alone does not prove who mounted
    // it. Throws std::system_error.
    bool record_unmounting(const std::string& upper, const std::string& work, int sync_errno,
                           std::time_t now);
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
    // A new record of UPPER/WORK in STATE, mounted at NOW.
    void record_new(const std::string& upper, const std::string& work, const std::string& boot_id,
                    const UpperIdentity& identity, const MarkerIdentity& marker,
                    VolatileState state, std::time_t now);
    // The record of UPPER/WORK moved to STATE with SYNC_ERRNO at NOW: false
    // when there is none.
    bool record_unmount(const std::string& upper, const std::string& work, VolatileState state,
                        int sync_errno, std::time_t now);

    base::Fd root_;
    std::string path_;
    base::Fd dir_;
};

}  // namespace nsr::reconcile
