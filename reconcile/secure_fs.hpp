// Symlink-proof path walking and creation inside the namespace. A path is
// opened in one openat2(RESOLVE_NO_SYMLINKS) call where the kernel has it,
// else walked from "/" one component at a time with O_NOFOLLOW (as are the
// failures, to say which component stopped it, and every creating walk), so
// a symlink planted anywhere in a path is refused, never followed.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/fd.hpp"
#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

// Creating something was refused in the directory WHERE, and a writable
// mimic of WHERE would make it possible: WHERE is on a read-only filesystem
// (EROFS), or writing there would affect the host (the trespassing check,
// reconcile/assumptions.hpp).
class WriteRefused : public std::runtime_error {
  public:
    WriteRefused(std::string where, const std::string& message)
        : std::runtime_error(message), where_(std::move(where)) {}
    const std::string& where() const { return where_; }

  private:
    std::string where_;
};

// What SecureFs gives the things it creates (never existing ones): the mode
// exactly, whatever the umask, and the owner.
struct CreateOptions {
    mode_t mode = 0755;
    uid_t uid = 0;
    gid_t gid = 0;
    // The object the call makes (the last component of its path) gets these
    // instead, where set; the directories made on the way to it keep mode,
    // uid and gid. An entry's x-snapd.mode/uid/gid are for its own mount
    // point: a user who owned the directories above it could rename and
    // replace them under later entries.
    std::optional<mode_t> leaf_mode;
    std::optional<uid_t> leaf_uid;
    std::optional<gid_t> leaf_gid;
    // Called with an open directory (fd, path) before anything is created in
    // it; throws WriteRefused to refuse. Not called below a directory this
    // walk created itself. Empty: everything may be written.
    std::function<void(int dirfd, const std::string& dir, const std::string& desired)> check;
    // Also call CHECK on the directories the walk only passes through (the
    // next component exists), as snapd does.
    bool check_walked_dirs = true;
    // Called with the path of each directory, file or symlink right before
    // it is created (only when it is not there): so that a journal knows,
    // even after a crash right after the creation, that it was made by the
    // tool. Empty: nothing is told.
    std::function<void(const std::string& path)> before_create;
};

class SecureFs {
  public:
    explicit SecureFs(Kernel& kernel) : k_(kernel) {}

    // Opens PATH (absolute and clean) with O_PATH, refusing symlinks in
    // every component (including the last). Throws std::system_error naming
    // PATH: ELOOP for a symlink, EINVAL for a relative or unclean PATH.
    base::Fd open_path(const std::string& path);
    // Like open_path, but -errno instead of throwing (ENOENT, ELOOP, EINVAL).
    int try_open_path(const std::string& path, base::Fd& out);
    // Opens the directory holding PATH with the same walk (O_PATH), and
    // gives PATH's last component in LEAF: for the calls that must name
    // PATH rather than hold an fd of it. 0, or -errno as try_open_path;
    // -EBUSY for "/", which has no parent.
    int try_open_parent(const std::string& path, base::Fd& parent, std::string& leaf);
    // Opens PATH as an existing directory, in one call or not at all: true
    // when PATH (absolute and clean) is a directory reached without any
    // symlink; false, with OUT untouched, when not, or when the kernel
    // lacks openat2 (the caller then takes the long way, which says why).
    bool open_existing_dir(const std::string& path, base::Fd& out);

    // The make_* calls throw WriteRefused, std::system_error (with the errno) or, for something of
    // the wrong type in the way, std::runtime_error. On failure, whatever the call had created is
    // removed again.

    // mkdir -p with the walk rules. Returns an O_PATH fd of PATH.
    base::Fd make_dirs(const std::string& path, const CreateOptions& opts);
    // Parents as make_dirs, then an empty regular file (kept if present).
    // Returns an O_PATH fd of the file.
    base::Fd make_file(const std::string& path, const CreateOptions& opts);
    // Parents as make_dirs, then a symlink to TARGET (owner set, no mode);
    // an existing symlink with the same target is accepted, anything else is
    // "in the way".
    void make_symlink(const std::string& path, const std::string& target,
                      const CreateOptions& opts);

    // Removes the empty directory or file at PATH (the leaf only) through
    // its parent's fd; returns 0 or -errno.
    int remove(const std::string& path);

  private:
    // Opens PATH with FLAGS in one openat2 call refusing every symlink;
    // false when that fails or the kernel lacks openat2 (OUT untouched).
    bool open_fast(const std::string& path, int flags, base::Fd& out);

    Kernel& k_;
    bool openat2_works_ = true;
};

}  // namespace nsr::reconcile
