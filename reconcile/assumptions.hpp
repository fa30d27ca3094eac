// What the reconciler may write to inside the namespace (snapd's
// trespassing model, cmd/snap-update-ns/trespassing.go): the writable places
// of the context (reconcile/writable_places.hpp), read-only filesystems
// (writes there fail and lead to a mimic), and tmpfs mounts the profile
// history says were mounted by the tool itself.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <unordered_map>

#include "reconcile/change.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_view.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/writable_places.hpp"

namespace nsr::reconcile {

class Assumptions {
  public:
    // VIEW, when given, names the filesystem a trespassing error found
    // (its mount point); it must outlive this object.
    explicit Assumptions(WritablePlaces places = {}, MountView* view = nullptr);

    // Past changes: the current profile (as mounts) and everything done in
    // this run; they decide which tmpfs mounts are ours.
    void record(const Change& change);
    // The same for ACTION on ENTRY, without making a Change (a copy of the
    // entry) for it.
    void record(Action action, const profile::MountEntry& entry);

    bool is_restricted(const std::string& path) const;
    mode_t mode_for_path(const std::string& path) const;

    // Creation options for PATH: its mode, and the trespassing check when
    // PATH is restricted. The check throws WriteRefused naming the
    // directory and the filesystem it is on ("... because it would affect
    // the host in "/srv" (ext4 mounted at "/")"), or std::runtime_error
    // for the namespace root, which no mimic can cover.
    CreateOptions create_options(Kernel& kernel, const std::string& path) const;

  private:
    void check_write(Kernel& kernel, int dirfd, const std::string& dir,
                     const std::string& desired) const;
    std::string describe_filesystem(const std::string& dir, long f_type) const;

    WritablePlaces places_;
    MountView* view_;
    // Latest word on a tmpfs at each dir: true when mounted (or kept).
    std::unordered_map<std::string, bool> tmpfs_mounted_;
    mutable std::set<dev_t> trusted_devs_;
};

}  // namespace nsr::reconcile
