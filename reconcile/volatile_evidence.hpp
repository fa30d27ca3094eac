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
    // DIR: the store's directory, open for reading (it is fsync'd). The
    // caller makes it (mode 0700) and opens it before setns.
    explicit VolatileStore(base::Fd dir, std::string display = kVolatileStoreDir);
    // Opens (creating it, mode 0700, and its parent) the store at PATH.
    // Throws std::system_error naming PATH.
    static VolatileStore open(const std::string& path);

    // The record of UPPER/WORK (clean absolute paths). nullopt when there
    // is none; a record that cannot be read counts as none, and WHY (if
    // given) then says why. Throws std::system_error for I/O errors other
    // than a missing record.
    std::optional<VolatileRecord> find(const std::string& upper, const std::string& work,
                                       std::string* why = nullptr) const;

    // After a volatile overlay of UPPER/WORK was mounted: a new record
    // (replacing any older one) with BOOT_ID and the upper's IDENTITY.
    // Written atomically; throws std::system_error.
    void record_mounted(const std::string& upper, const std::string& work,
                        const std::string& boot_id, const UpperIdentity& identity, std::time_t now);
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
    void write(const VolatileRecord& r);

    base::Fd dir_;
    std::string display_;
};

}  // namespace nsr::reconcile
