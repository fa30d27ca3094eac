// Mount option strings <-> MS_* flags, by libmount's option maps
// (profile/option_maps.hpp) with snapd's exceptions.
#pragma once

#include <linux/mount.h>

#include <string>
#include <vector>

namespace nsr::profile {

struct MountFlags {
    unsigned long flags = 0;  // MS_* bits the options name
    std::string data;         // the remaining options, comma-joined (filesystem data)
};

// Splits options as snapd does: known VFS options become MS_* flags
// ("rbind" = MS_BIND|MS_REC, "rshared" = MS_SHARED|MS_REC, ...), x-snapd.*
// options are dropped, everything else is filesystem data.
MountFlags options_to_flags(const std::vector<std::string>& options);

// The option names for a set of MS_* flags (e.g. MS_RDONLY|MS_NOSUID ->
// "ro,nosuid").
std::string flags_to_options(unsigned long flags);

// The per-mount flags among MS (ro, nosuid, nodev, noexec, the atime
// flags) as mount_setattr(2) attributes to set and clear.
struct mount_attr to_mount_attr(unsigned long ms);

}  // namespace nsr::profile
