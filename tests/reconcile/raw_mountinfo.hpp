// The super options of a mount exactly as the kernel wrote them in
// /proc/self/mountinfo, before any parser touched the escapes.
#pragma once

#include <string>

namespace nsr::test {

// The last field of PATH's line ("" when nothing is mounted there).
std::string raw_super_options(const std::string& path);

}  // namespace nsr::test
