#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "profile/fstab.hpp"
#include "profile/unique_fd.hpp"

namespace nsr::profile {
namespace {

[[noreturn]] void fail(int err, const std::string& display) {
    throw std::system_error(err, std::generic_category(), "cannot read mount profile " + display);
}

}  // namespace

MountProfile load_profile_at(int dirfd, const std::string& name, const std::string& display) {
    UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        // A namespace that was never updated has no current profile yet.
        if (errno == ENOENT) {
            return {};
        }
        fail(errno, display);
    }
    std::string text;
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail(errno, display);
        }
        if (n == 0) {
            break;
        }
        text.append(buf, static_cast<size_t>(n));
    }
    return parse_profile(text, display);
}

MountProfile load_profile(const std::string& path) {
    return load_profile_at(AT_FDCWD, path, path);
}

}  // namespace nsr::profile
