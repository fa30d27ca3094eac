#include "reconcile/assumptions.hpp"

#include <fnmatch.h>
#include <sys/statvfs.h>

#include "base/path.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::is_within;

void Assumptions::add_unrestricted(std::string path) {
    unrestricted_.push_back(clean_path(path));
}

void Assumptions::add_mode_hint(std::string glob, mode_t mode) {
    mode_hints_.emplace_back(std::move(glob), mode);
}

void Assumptions::record(const Change& change) {
    if (change.entry.type != "tmpfs")
        return;
    const std::string dir = clean_path(change.entry.dir);
    tmpfs_mounted_[dir] = change.action != Action::Unmount;
}

bool Assumptions::is_restricted(const std::string& path) const {
    for (const auto& u : unrestricted_) {
        if (u == "/" || is_within(path, u))
            return false;
    }
    return true;
}

mode_t Assumptions::mode_for_path(const std::string& path) const {
    for (const auto& [glob, mode] : mode_hints_) {
        if (::fnmatch(glob.c_str(), path.c_str(), FNM_PATHNAME) == 0)
            return mode;
    }
    return 0755;
}

CreateOptions Assumptions::create_options(Kernel& kernel, const std::string& path) const {
    CreateOptions opts;
    opts.mode = mode_for_path(path);
    if (is_restricted(path)) {
        opts.check = [this, &kernel](int dirfd, const std::string& dir,
                                     const std::string& desired) {
            check_write(kernel, dirfd, dir, desired);
        };
    }
    return opts;
}

void Assumptions::check_write(Kernel& kernel, int dirfd, const std::string& dir,
                              const std::string& desired) const {
    if (!is_restricted(dir))
        return;
    struct statfs fs {};
    struct stat st {};
    if (kernel.fstatfs(dirfd, &fs) == 0 && kernel.fstatat(dirfd, "", &st, AT_EMPTY_PATH) == 0) {
        // Writing to a read-only place fails with EROFS, which leads to a mimic.
        if ((fs.f_flags & ST_RDONLY) || fs.f_type == kSquashfsMagic)
            return;
        if (trusted_devs_.count(st.st_dev))
            return;
        if (fs.f_type == kTmpfsMagic) {
            auto it = tmpfs_mounted_.find(dir);
            if (it != tmpfs_mounted_.end() && it->second) {
                if (st.st_dev != 0)
                    trusted_devs_.insert(st.st_dev);
                return;
            }
        }
    }
    if (dir == "/") {
        throw std::runtime_error("cannot write to \"" + desired +
                                 "\" because it would affect the host in \"/\": cannot recover "
                                 "from trespassing over /");
    }
    throw TrespassingError(dir, desired);
}

}  // namespace nsr::reconcile
