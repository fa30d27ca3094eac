// What is mounted where, as needed(), the executor and the tuck diagnosis
// ask it: the mount stack at one directory, and the mount that holds one
// path. Two implementations: LiveMountView asks the kernel about each path
// (statx and statmount, so a question costs the same whatever the size of
// the namespace's mount table), TableMountView reads a MountTable snapshot
// (fixtures, and kernels without statmount).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

// PATH's place in the mount tree.
struct MountedPath {
    mountinfo::Mount mount;  // the visible mount that holds PATH
    std::string path_in_fs;  // PATH inside that mount's filesystem
};

// What a bind entry's check asks first: is a mount on top at a directory,
// and does it show the entry's source (the same directory or file of the
// same filesystem)? When it does, what the flags rule needs
// (profile::bind_attrs).
struct BindTop {
    bool mounted = false;
    bool shows_source = false;
    // When it shows the source:
    unsigned major = 0, minor = 0;  // the filesystem's device
    std::string path_in_fs;         // the source's path in it, the top's root
    uint64_t top_attrs = 0;         // the top mount's per-mount flags (MOUNT_ATTR_*)
    uint64_t source_attrs = 0;      // those of the mount holding the source
};

class MountView {
  public:
    virtual ~MountView() = default;

    // The queries answer with copies, as the namespace was when asked.
    // Paths are clean and absolute. They throw std::system_error when the
    // kernel cannot answer.

    // The mount a process in the namespace sees at DIR and the ones it
    // covers at the same place, top first; empty when DIR is no mount point.
    virtual std::vector<mountinfo::Mount> stack_at(std::string_view dir) = 0;
    // The visible mount holding PATH, found by the mount points PATH goes
    // through (a missing leaf is held by what holds its directory). Nothing
    // when no mount holds it.
    virtual std::optional<MountedPath> resolve(std::string_view path) = 0;
    // The mount M is attached to; nothing for the namespace's root mount.
    virtual std::optional<mountinfo::Mount> parent_of(const mountinfo::Mount& m) = 0;
    // Whether a mount is on top at DIR and shows SRC: the top's device and
    // root are SRC's device and path in its filesystem. A view may answer
    // more cheaply (LiveMountView: by device and inode, without reading the
    // top's paths).
    virtual BindTop bind_top(std::string_view dir, std::string_view src);

    // The tool's own changes, so that later answers include them.
    //
    // MOUNT_FD was just attached at PROTO.mount_point (beneath the mount
    // there with BENEATH). PROTO holds what the tool knows of the new mount
    // (filesystem, root, options); the view takes what else it needs from
    // the kernel.
    virtual void record_mount(const base::Fd& mount_fd, mountinfo::Mount proto, bool beneath) = 0;
    // The visible mount at DIR was detached, with everything on it.
    virtual void record_detach(std::string_view dir) = 0;
    // Whether record_mount() uses more of PROTO than its mount point (a
    // snapshot does; a view that asks the kernel does not), so that callers
    // can skip working it out.
    virtual bool wants_protos() const = 0;

    // stack_at(DIR).front(), or nothing.
    std::optional<mountinfo::Mount> visible_at(std::string_view dir);
};

}  // namespace nsr::reconcile
