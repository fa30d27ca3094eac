// Whole files in and out, bounded and crash-safe (bubblewrap's
// load_file_at / write_file_at family). DISPLAY is how a file is named in
// messages ("mount profile /run/x.fstab"); every failure throws
// std::system_error "cannot read DISPLAY" / "cannot ... DISPLAY" with the
// errno (base/error.hpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nsr::base {

// Reads FD to end of file. More than MAX_BYTES is refused with EFBIG, so
// an endless source (a pipe that never closes aside) cannot exhaust memory.
// SIZE_HINT, when not 0, is what the file is expected to hold (its
// st_size): the buffer starts there rather than at 64 KiB.
std::string read_fd(int fd, size_t max_bytes, const std::string& display, size_t size_hint = 0);

// Reads the regular file NAME, relative to DIRFD (AT_FDCWD: the working
// directory; an absolute NAME ignores DIRFD). A directory is refused with
// EISDIR, any other non-regular file (a device such as /dev/zero, a FIFO,
// a socket) with EINVAL before anything is read; more than MAX_BYTES with
// EFBIG. Files under /proc, which report a size of 0, are read to their end.
std::string read_file_at(int dirfd, const std::string& name, size_t max_bytes,
                         const std::string& display);

// read_file_at, but nothing (no throw) when NAME does not exist (ENOENT).
std::optional<std::string> try_read_file_at(int dirfd, const std::string& name, size_t max_bytes,
                                            const std::string& display);

// Whether the regular file NAME, relative to DIRFD, holds exactly TEXT. It
// is read a piece at a time, so that a caller about to rewrite a file need
// not keep what it read earlier to tell whether the rewrite would change
// anything. False when that cannot be told (NAME missing, not a regular
// file, unreadable): the caller then writes, and the write reports what is
// wrong. Throws nothing.
bool file_holds_at(int dirfd, const std::string& name, std::string_view text) noexcept;

// read_file_at(AT_FDCWD, PATH, MAX_BYTES, PATH).
std::string read_file(const std::string& path, size_t max_bytes);

// mkdir -p: creates DIR with MODE and its missing parents with 0755 (as
// the umask lets them); existing ones are left as they are. A private
// directory (a lock directory, 0700) must not make its parents private: a
// parent shared with other state (/run/nsreconcile) stays searchable, as
// snapd's /run/snapd is. For the tool's own state directories on the host
// side; mount points go through reconcile::SecureFs. Throws "cannot create
// DIR".
void make_dirs(const std::string& dir, mode_t mode);

// Writes all of DATA to FD, retrying short writes and EINTR. Throws
// "cannot write DISPLAY".
void write_all(int fd, std::string_view data, const std::string& display);

// Replaces NAME inside DIRFD with DATA, crash-safely: a new temp file next
// to NAME (O_EXCL, named NAME.<12 random alphanumerics>~ as snapd names
// its own, so either tool recognises the other's leftovers) gets exactly
// MODE whatever the umask, the data and an fsync; it is then renamed over
// NAME and the directory is fsync'd. Readers see the old file or the new
// one, never a torn one; a symlink at NAME is replaced, not followed. On
// failure the temp file is removed and NAME is untouched. DIRFD must be open
// for reading (not O_PATH) so that it can be fsync'd.
void write_file_at(int dirfd, const std::string& name, std::string_view data, mode_t mode,
                   const std::string& display);

}  // namespace nsr::base
