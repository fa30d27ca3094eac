#include "profile/stale_temps.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace nsr::profile {

namespace {

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool is_temp_of(const std::string& entry, const std::string& name) {
    constexpr size_t kRandom = 12;
    if (entry.size() != name.size() + 1 + kRandom + 1 || !entry.starts_with(name) ||
        entry[name.size()] != '.' || entry.back() != '~') {
        return false;
    }
    for (size_t i = name.size() + 1; i < entry.size() - 1; ++i) {
        if (!is_alnum(entry[i]))
            return false;
    }
    return true;
}

std::vector<std::string> remove_stale_temps_at(int dirfd, const std::string& name,
                                               const std::string& display) {
    // A directory stream of its own: reading through DIRFD would move the
    // caller's offset.
    const int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "cannot list " + display);
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        const int err = errno;
        ::close(fd);
        throw std::system_error(err, std::generic_category(), "cannot list " + display);
    }
    std::vector<std::string> stale;
    errno = 0;
    while (const struct dirent* d = ::readdir(dir)) {
        if (is_temp_of(d->d_name, name))
            stale.emplace_back(d->d_name);
        errno = 0;
    }
    const int read_errno = errno;
    ::closedir(dir);
    if (read_errno != 0)
        throw std::system_error(read_errno, std::generic_category(), "cannot list " + display);

    std::vector<std::string> removed;
    for (const auto& entry : stale) {
        struct stat st {};
        if (::fstatat(dirfd, entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                continue;
            throw std::system_error(errno, std::generic_category(),
                                    "cannot inspect " + display + "/" + entry);
        }
        if (!S_ISREG(st.st_mode))
            continue;
        if (::unlinkat(dirfd, entry.c_str(), 0) != 0 && errno != ENOENT) {
            throw std::system_error(
                errno, std::generic_category(),
                "cannot remove the stale temporary file " + display + "/" + entry);
        }
        removed.push_back(entry);
    }
    return removed;
}

}  // namespace nsr::profile
