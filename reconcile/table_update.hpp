// Keeping the mount table snapshot current from the tool's own actions, so
// that it is read from the kernel once per run.
#pragma once

#include <string>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

// Records the mount MOUNT_FD (just attached at PROTO.mount_point) in TABLE:
// its id and device come from the kernel, the rest from PROTO.
void record_mount(Kernel& kernel, mountinfo::MountTable& table, const base::Fd& mount_fd,
                  mountinfo::Mount proto, bool beneath);

// Records that the visible mount at DIR was detached (with everything on it).
void record_detach(mountinfo::MountTable& table, const std::string& dir);

// A template for a bind of SRC: the filesystem, root and options SRC has in
// TABLE.
mountinfo::Mount bind_proto(const mountinfo::MountTable& table, const std::string& src,
                            bool read_only);

}  // namespace nsr::reconcile
