#include "profile/atomic_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "profile/unique_fd.hpp"

namespace nsr::profile {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// snapd names its temp files <target>.<12 random alphanumerics>~, and so do we,
// so either tool recognises the other's leftovers.
std::string temp_name(const std::string& name) {
    unsigned char bytes[12];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw std::system_error(errno, std::generic_category(), "cannot get random bytes");
        }
        got += static_cast<size_t>(n);
    }
    std::string out = name + ".";
    for (unsigned char b : bytes) {
        out += kAlphabet[b % kAlphabet.size()];
    }
    return out + "~";
}

[[noreturn]] void fail(int err, const std::string& what, const std::string& display) {
    throw std::system_error(err, std::generic_category(), "cannot " + what + " " + display);
}

void write_all(int fd, std::string_view data, const std::string& display) {
    while (!data.empty()) {
        ssize_t n = write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail(errno, "write temporary file for", display);
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// Creates the temp file; a name collision just means another try.
UniqueFd create_temp(int dirfd, const std::string& name, mode_t mode, std::string& temp,
                     const std::string& display) {
    for (int attempt = 0; attempt < 16; ++attempt) {
        temp = temp_name(name);
        UniqueFd fd(openat(dirfd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
        if (fd.get() >= 0) {
            return fd;
        }
        if (errno != EEXIST) {
            fail(errno, "create temporary file for", display);
        }
    }
    fail(EEXIST, "create temporary file for", display);
}

void write_temp(int fd, std::string_view data, mode_t mode, const std::string& display) {
    // The caller's umask must not decide who may read the state file.
    if (fchmod(fd, mode) != 0) {
        fail(errno, "set the mode of temporary file for", display);
    }
    write_all(fd, data, display);
    if (fsync(fd) != 0) {
        fail(errno, "sync temporary file for", display);
    }
}

}  // namespace

void atomic_write_at(int dirfd, const std::string& name, std::string_view data, mode_t mode,
                     const std::string& display) {
    std::string temp;
    UniqueFd fd = create_temp(dirfd, name, mode, temp, display);
    try {
        write_temp(fd.get(), data, mode, display);
        // close() can report a delayed write error, so its result counts.
        if (close(fd.release()) != 0) {
            fail(errno, "close temporary file for", display);
        }
        if (renameat(dirfd, temp.c_str(), dirfd, name.c_str()) != 0) {
            fail(errno, "rename temporary file over", display);
        }
    } catch (...) {
        fd.reset();
        unlinkat(dirfd, temp.c_str(), 0);
        throw;
    }
    // Without this the rename itself may not survive a power loss.
    if (fsync(dirfd) != 0) {
        fail(errno, "sync the directory of", display);
    }
}

}  // namespace nsr::profile
