// Quoting of values (paths, options) in messages.
#pragma once

#include <string>
#include <string_view>

namespace nsr::base {

// S in double quotes, with quotes, backslashes and control characters
// escaped the way Go's %q does, so messages read like snapd's.
std::string quote(std::string_view s);

}  // namespace nsr::base
