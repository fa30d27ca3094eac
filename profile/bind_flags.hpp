// The x-nsr options that give a bind entry runc's flag semantics, so that a
// container's mounts (OCI runtime spec) can be written as a profile:
//   x-nsr.top-flags   the entry's per-mount flags (ro, nosuid, nodev, noexec,
//                     the atime flags) are set exactly on the top mount, as
//                     runc's remount does: the ones not named are cleared,
//                     even when none of ro/nosuid/nodev/noexec is named, and
//                     an rbind's submounts keep theirs. Without it, a bind
//                     that names none of them keeps its source's, and an
//                     rbind's flags apply to every mount of the tree.
//   x-nsr.rro, x-nsr.rnosuid, ... (runc's recursive flags: rro rrw rnosuid
//                     rsuid rnodev rdev rnoexec rexec rnoatime ratime
//                     rrelatime rnorelatime rstrictatime rnostrictatime
//                     rnodiratime rdiratime) are set or cleared on every
//                     mount of the tree afterwards; for one flag the last
//                     option wins.
#pragma once

#include <linux/mount.h>

#include <cstdint>
#include <string_view>

#include "profile/mount_entry.hpp"

namespace nsr::profile {

inline constexpr std::string_view kTopFlagsOption = "x-nsr.top-flags";
inline constexpr std::string_view kNsrPrefix = "x-nsr.";

// mount_setattr(2) attributes to set and clear on a whole tree.
struct RecursiveAttrs {
    uint64_t set = 0;
    uint64_t clear = 0;
    bool empty() const { return set == 0 && clear == 0; }
    bool operator==(const RecursiveAttrs&) const = default;
};

bool is_top_flags(const MountEntry& e);

// NAME (runc's spelling, e.g. "rro") is one of the recursive flags.
bool is_recursive_flag(std::string_view name);

// The entry's x-nsr.r* options, combined in order.
RecursiveAttrs recursive_attrs(const MountEntry& e);

// The per-mount attributes that decide what a bind looks like to the
// application: ro, nosuid, nodev, noexec, the atime field and nodiratime
// (MOUNT_ATTR_* bits).
inline constexpr uint64_t kBindAttrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                       MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME |
                                       MOUNT_ATTR_NODIRATIME;

// The kBindAttrs that the top mount of a fresh bind of E has when the mount
// holding its source has SOURCE (MOUNT_ATTR_* bits), as apply makes it and
// as snapd's bind and read-only remount leave it. A bind that names an
// access flag (ro, nosuid, nodev, noexec), or has x-nsr.top-flags, gets
// exactly the access flags it names; one that names none keeps its
// source's. Named atime flags replace the source's; x-nsr.rro, ... come
// last. A read-only filesystem does not show here: the per-mount flag is
// what the entry gives.
uint64_t bind_attrs(const MountEntry& e, uint64_t source);
}  // namespace nsr::profile
