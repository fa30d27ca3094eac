#include "base/file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"

namespace nsr::base {

namespace {

// Opens NAME for reading, refusing what is not a regular file. O_NONBLOCK
// keeps a FIFO with no writer from blocking the open itself; for a regular
// file it changes nothing. With MISSING_OK, a missing NAME gives an empty Fd.
Fd open_regular(int dirfd, const std::string& name, const std::string& display, bool missing_ok,
                size_t& size) {
    Fd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd && missing_ok && errno == ENOENT)
        return fd;
    if (!fd)
        throw_errno(-errno, "cannot read " + display);
    struct stat st {};
    check_sys(::fstat(fd.get(), &st), "cannot read " + display);
    if (S_ISDIR(st.st_mode))
        throw_errno(-EISDIR, "cannot read " + display);
    if (!S_ISREG(st.st_mode))
        throw_errno(-EINVAL, "cannot read " + display + " (not a regular file)");
    size = static_cast<size_t>(st.st_size);
    return fd;
}

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string temp_name(const std::string& name) {
    unsigned char bytes[12];
    size_t got = 0;
    while (got < sizeof bytes) {
        const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        check_sys(n, "cannot get random bytes");
        got += static_cast<size_t>(n);
    }
    std::string out = name + ".";
    for (unsigned char b : bytes)
        out += kAlphabet[b % kAlphabet.size()];
    return out + "~";
}

// Creates the temp file; a name collision just means another try.
Fd create_temp(int dirfd, const std::string& name, mode_t mode, std::string& temp,
               const std::string& display) {
    for (int attempt = 0; attempt < 16; ++attempt) {
        temp = temp_name(name);
        Fd fd(::openat(dirfd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
        if (fd)
            return fd;
        if (errno != EEXIST)
            throw_errno(-errno, "cannot create temporary file for " + display);
    }
    throw_errno(-EEXIST, "cannot create temporary file for " + display);
}

void fill_temp(int fd, std::string_view data, mode_t mode, const std::string& display) {
    // The caller's umask must not decide who may read the file.
    check_sys(::fchmod(fd, mode), "cannot set the mode of temporary file for " + display);
    write_all(fd, data, "temporary file for " + display);
    check_sys(::fsync(fd), "cannot sync temporary file for " + display);
}

}  // namespace

std::string read_fd(int fd, size_t max_bytes, const std::string& display, size_t size_hint) {
    // One byte past the bound tells "exactly MAX_BYTES" from "more".
    const size_t cap = max_bytes + 1;
    std::string text;
    size_t used = 0;
    for (;;) {
        if (used == text.size()) {
            if (text.size() == cap)
                break;
            // A file's size is known up front (one byte more sees its end);
            // a pipe's or a /proc file's is not.
            const size_t first = size_hint != 0 ? size_hint + 1 : 64 * 1024;
            text.resize(std::min(used == 0 ? first : std::max<size_t>(used * 2, 64 * 1024), cap));
        }
        const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
        if (n < 0 && errno == EINTR)
            continue;
        check_sys(n, "cannot read " + display);
        if (n == 0)
            break;
        used += static_cast<size_t>(n);
    }
    if (used > max_bytes) {
        throw_errno(-EFBIG, "cannot read " + display + " (more than " + std::to_string(max_bytes) +
                                " bytes)");
    }
    text.resize(used);
    return text;
}

std::string read_file_at(int dirfd, const std::string& name, size_t max_bytes,
                         const std::string& display) {
    size_t size = 0;
    const Fd fd = open_regular(dirfd, name, display, false, size);
    return read_fd(fd.get(), max_bytes, display, size);
}

std::optional<std::string> try_read_file_at(int dirfd, const std::string& name, size_t max_bytes,
                                            const std::string& display) {
    size_t size = 0;
    const Fd fd = open_regular(dirfd, name, display, true, size);
    if (!fd)
        return std::nullopt;
    return read_fd(fd.get(), max_bytes, display, size);
}

bool file_holds_at(int dirfd, const std::string& name, std::string_view text) noexcept {
    const Fd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) ||
        static_cast<size_t>(st.st_size) != text.size())
        return false;
    // Read to its end: a file that grew since the fstat holds more than
    // TEXT.
    char piece[8 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd.get(), piece, sizeof piece);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            return text.empty();
        const auto got = static_cast<size_t>(n);
        if (got > text.size() || text.compare(0, got, piece, got) != 0)
            return false;
        text.remove_prefix(got);
    }
}

std::string read_file(const std::string& path, size_t max_bytes) {
    return read_file_at(AT_FDCWD, path, max_bytes, path);
}

void make_dirs(const std::string& dir, mode_t mode) {
    if (dir == "/" || dir == "." || dir.empty())
        return;
    if (::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST)
        return;
    if (errno != ENOENT)
        throw_errno(-errno, "cannot create " + dir);
    make_dirs(parent_dir(dir), 0755);
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
        throw_errno(-errno, "cannot create " + dir);
}

void write_all(int fd, std::string_view data, const std::string& display) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        check_sys(n, "cannot write " + display);
        data.remove_prefix(static_cast<size_t>(n));
    }
}

void write_file_at(int dirfd, const std::string& name, std::string_view data, mode_t mode,
                   const std::string& display) {
    std::string temp;
    Fd fd = create_temp(dirfd, name, mode, temp, display);
    try {
        fill_temp(fd.get(), data, mode, display);
        // close() can report a delayed write error, so its result counts.
        check_sys(::close(fd.release()), "cannot close temporary file for " + display);
        check_sys(::renameat(dirfd, temp.c_str(), dirfd, name.c_str()),
                  "cannot rename temporary file over " + display);
    } catch (...) {
        fd.reset();
        ::unlinkat(dirfd, temp.c_str(), 0);
        throw;
    }
    // Without this the rename itself may not survive a power loss.
    check_sys(::fsync(dirfd), "cannot sync the directory of " + display);
}

}  // namespace nsr::base
