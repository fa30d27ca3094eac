// Building an overlay mount with its layers handed to the kernel by file
// descriptor: every lower and data-only layer, the upper and the work
// directory are opened with SecureFs's one-component-at-a-time O_NOFOLLOW
// walk, so a symlink anywhere in their paths is refused instead of being
// followed, and the kernel gets exactly the directories that were checked
// (fsconfig FSCONFIG_SET_FD "lowerdir+", "datadir+", "upperdir", "workdir").
//
// Kernels before 6.13 take layers only as paths. The first "lowerdir+" by
// fd then fails with EINVAL, and the layers are given as paths instead: one
// "lowerdir+"/"datadir+" string per layer where the kernel knows them
// (6.8), else one "lowerdir=a:b::d" string. The debug log says which and
// why. The paths were checked by the walk, but the kernel resolves them
// again.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_ops.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/volatile_reuse.hpp"

namespace nsr::reconcile {

// The directories of an overlay, opened for reading (FSCONFIG_SET_FD takes
// O_PATH fds only since Linux 6.15). They may be opened before a setns()
// and used after it.
struct OverlayLayers {
    std::vector<base::Fd> lower;
    std::vector<base::Fd> data;
    base::Fd upper;  // empty without an upper
    base::Fd work;
};

// Opens every directory of SPEC (absolute, clean paths) through SFS. Throws
// std::system_error naming the overlay's mount point DIR, the layer and the
// component where the walk stopped, e.g.
//   overlay at "/m": cannot open lower layer 2 "/x/y": "/x/l" is a symbolic link
// (ELOOP), and ENOTDIR for a layer that is not a directory.
OverlayLayers overlay_layers_open(Kernel& kernel, SecureFs& sfs, const profile::OverlaySpec& spec,
                                  const std::string& dir);

// Logs one debug line; may be empty.
using DebugLog = std::function<void(const std::string&)>;

// A detached overlay from SPEC with the opened LAYERS, SOURCE as its source
// and ATTRS (ro also makes the superblock read-only). DIR names the mount
// point in messages. Throws std::system_error naming the step.
base::Fd overlay_mount_create(Kernel& kernel, const profile::OverlaySpec& spec,
                              const OverlayLayers& layers, const std::string& source,
                              const MountAttrs& attrs, const std::string& dir,
                              const DebugLog& debug);

// The super options the kernel shows for an overlay of SPEC with its layers
// given one by one ("rw,lowerdir+=...,upperdir=...,workdir=..."), for
// recording the new mount in a MountTable.
std::string overlay_super_options(const profile::OverlaySpec& spec, bool read_only);

// The executor's overlay mount: ENTRY (type overlay) opened, built and
// described for the table, its layers opened in the namespace with SFS.
// Throws as the calls above, and std::invalid_argument for options that
// cannot be read.
std::pair<base::Fd, mountinfo::Mount> overlay_build(Kernel& kernel, SecureFs& sfs,
                                                    const profile::MountEntry& entry,
                                                    unsigned long ms_flags, const DebugLog& debug);

// overlay_build() with GUARD's checks around it, where SFS resolves the
// entry's paths: with an upper dir, GUARD->prepare() first (IN_USE finds a
// live overlay using the pair), and GUARD->mounted() once it is made,
// before it is returned to be attached. No GUARD: overlay_build().
// Throws as overlay_build(), VolatileStaleError for a refused pair, and
// std::system_error when the mount cannot be recorded (the overlay is then
// dropped unattached).
std::pair<base::Fd, mountinfo::Mount> overlay_build_guarded(
    Kernel& kernel, SecureFs& sfs, const profile::MountEntry& entry, unsigned long ms_flags,
    const DebugLog& debug, VolatileGuard* guard, const PairUser& in_use);

}  // namespace nsr::reconcile
