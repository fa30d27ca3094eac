// Semantic checks of a desired profile (what `nsreconcile lint` reports).
#pragma once

#include <string>
#include <vector>

#include "profile/fstab.hpp"
#include "profile/mount_entry.hpp"

namespace nsr::profile {

// Every problem in the profile, in line order: relative or unclean paths,
// ".." components, unknown kinds and origins, bad mode/uid/gid values,
// symlink entries without a target, duplicate mount points, and for
// overlay entries their layers, upper and work (overlay_spec.hpp).
std::vector<Problem> validate_profile(const MountProfile& profile);

}  // namespace nsr::profile
