// Making sure an entry's mount point and bind source exist, of the right
// type, before it is mounted: created with the walk rules of SecureFs where
// missing, through a writable mimic where the place is read-only or must not
// be written to.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/exec_context.hpp"

namespace nsr::reconcile {

// The entry has x-snapd.ignore-missing and its source or mount point is
// missing: the change is skipped, silently.
struct IgnoredMissing : std::runtime_error {
    IgnoredMissing() : std::runtime_error("mount source or target is missing") {}
};

// An entry's mount point and bind source, opened.
struct OpenedPoints {
    base::Fd target;
    base::Fd source;  // for a bind
};

class MountPoints {
  public:
    explicit MountPoints(ExecContext& ctx) : ctx_(ctx) {}

    // The common case in one call per path: a directory entry whose mount
    // point (and source, for a bind) already exist as directories reached
    // without a symlink, opened. Nothing otherwise: then ensure_target()
    // and ensure_source() make or check them, and they are opened later.
    std::optional<OpenedPoints> open_existing(const profile::MountEntry& e);

    // The entry's mount point (or symlink, or ensure-dir directory) exists
    // afterwards, of the type its kind needs. Mimic entries made on the way
    // are appended to MADE, even when the call then fails. Throws
    // IgnoredMissing, or std::exception naming the path and the reason.
    void ensure_target(const profile::MountEntry& e, std::vector<profile::MountEntry>& made);
    // The same for the source of a bind (created only for layouts).
    void ensure_source(const profile::MountEntry& e, std::vector<profile::MountEntry>& made);

  private:
    void create_path(const profile::MountEntry& e, const std::string& path, bool poke_holes,
                     std::vector<profile::MountEntry>& made);
    void poke_hole(const profile::MountEntry& e, const std::string& path, const std::string& where,
                   const std::string& why, std::vector<profile::MountEntry>& made);
    void make_ensure_dir(const profile::MountEntry& e, const std::string& path);
    // CreateOptions::before_create: the journal records each path created.
    std::function<void(const std::string&)> announce_creation() const;

    ExecContext& ctx_;
};

}  // namespace nsr::reconcile
