#include "reconcile/assumptions.hpp"

#include <fnmatch.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <stdexcept>

#include "base/path.hpp"
#include "base/quote.hpp"

namespace nsr::reconcile {

namespace {

// statfs(2) f_type values of filesystems a host is commonly made of.
std::string filesystem_name(long f_type) {
    switch (static_cast<unsigned long>(f_type)) {
        case 0xEF53:
            return "ext4";
        case 0x58465342:
            return "xfs";
        case 0x9123683E:
            return "btrfs";
        case 0x01021994:
            return "tmpfs";
        case 0x73717368:
            return "squashfs";
        case 0x794C7630:
            return "overlay";
        case 0x2FC12FC1:
            return "zfs";
        case 0xF2F52010:
            return "f2fs";
        case 0x6969:
            return "nfs";
    }
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(f_type));
    return std::string("a filesystem of type ") + hex;
}

}  // namespace

Assumptions::Assumptions(WritablePlaces places, MountView* view)
    : places_(std::move(places)), view_(view) {
    for (auto& p : places_.unrestricted)
        p = base::clean_path(p);
}

void Assumptions::record(const Change& change) {
    record(change.action, change.entry);
}

void Assumptions::record(Action action, const profile::MountEntry& entry) {
    if (entry.type != "tmpfs")
        return;
    const std::string dir = base::clean_path(entry.dir);
    tmpfs_mounted_[dir] = action != Action::Unmount;
}

bool Assumptions::is_restricted(const std::string& path) const {
    for (const auto& u : places_.unrestricted) {
        if (u == "/" || base::is_within(path, u))
            return false;
    }
    return true;
}

mode_t Assumptions::mode_for_path(const std::string& path) const {
    for (const auto& [glob, mode] : places_.mode_hints) {
        if (::fnmatch(glob.c_str(), path.c_str(), FNM_PATHNAME) == 0)
            return mode;
    }
    return 0755;
}

CreateOptions Assumptions::create_options(Kernel& kernel, const std::string& path) const {
    CreateOptions opts;
    opts.mode = mode_for_path(path);
    opts.check_walked_dirs = places_.check_walked_dirs;
    if (is_restricted(path)) {
        opts.check = [this, &kernel](int dirfd, const std::string& dir,
                                     const std::string& desired) {
            check_write(kernel, dirfd, dir, desired);
        };
    }
    return opts;
}

std::string Assumptions::describe_filesystem(const std::string& dir, long f_type) const {
    // DIR was just opened through no symlink: the mount holding the path
    // holds the directory.
    std::optional<MountedPath> m;
    if (view_) {
        try {
            m = view_->resolve(dir);
        } catch (const std::exception&) {
            // Only the message is at stake: name the filesystem type.
        }
    }
    if (!m)
        return filesystem_name(f_type);
    return m->mount.fstype + " mounted at " + base::quote(m->mount.mount_point);
}

void Assumptions::check_write(Kernel& kernel, int dirfd, const std::string& dir,
                              const std::string& desired) const {
    if (!is_restricted(dir))
        return;
    struct statfs fs {};
    struct stat st {};
    const bool known =
        kernel.fstatfs(dirfd, &fs) == 0 && kernel.fstatat(dirfd, "", &st, AT_EMPTY_PATH) == 0;
    if (known) {
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
    const std::string found =
        known ? " (" + describe_filesystem(dir, static_cast<long>(fs.f_type)) + ")" : "";
    const std::string message = "cannot write to " + base::quote(desired) +
                                " because it would affect the host in " + base::quote(dir);
    if (dir == "/")
        throw std::runtime_error(message + found + ": cannot recover from trespassing over /");
    throw WriteRefused(dir, message + found);
}

}  // namespace nsr::reconcile
