// A synthetic but realistic mountinfo for benchmarks: the shape of a snap
// host with many snaps, containers and user mounts.
#pragma once

#include <cstddef>
#include <string>

namespace nsr::bench {

// LINES lines of /proc/self/mountinfo text: nested mount points, octal
// escapes, shared/master/propagate_from/unbindable fields, several fstypes.
std::string generate_mountinfo(size_t lines);

}  // namespace nsr::bench
