// What the reconciler may write to inside the namespace (snapd's
// trespassing model): the well-known writable places, read-only
// filesystems (writes there fail and lead to a mimic), and tmpfs mounts the
// profile history says were mounted by the tool itself.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "reconcile/change.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/secure_fs.hpp"

namespace nsr::reconcile {

class Assumptions {
  public:
    // Paths below which anything may be created (e.g. /tmp, /var/snap).
    void add_unrestricted(std::string path);
    // Directories created for paths matching GLOB ('*' does not cross '/')
    // get MODE instead of 0755.
    void add_mode_hint(std::string glob, mode_t mode);

    // Past changes: the current profile (as mounts) and everything done in
    // this run; they decide which tmpfs mounts are ours.
    void record(const Change& change);

    bool is_restricted(const std::string& path) const;
    mode_t mode_for_path(const std::string& path) const;

    // Creation options for PATH: its mode, and the trespassing check when
    // PATH is restricted.
    CreateOptions create_options(Kernel& kernel, const std::string& path) const;

  private:
    void check_write(Kernel& kernel, int dirfd, const std::string& dir,
                     const std::string& desired) const;

    std::vector<std::string> unrestricted_;
    std::vector<std::pair<std::string, mode_t>> mode_hints_;
    // Latest word on a tmpfs at each dir: true when mounted (or kept).
    std::unordered_map<std::string, bool> tmpfs_mounted_;
    mutable std::set<dev_t> trusted_devs_;
};

}  // namespace nsr::reconcile
