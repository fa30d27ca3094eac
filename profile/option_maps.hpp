// libmount's option maps, as util-linux 2.38 (Debian 12) defines them: the
// Linux (VFS) map of mount flags and the names of its user-space map. Kept
// here rather than loaded from libmount, whose shared library and its
// dependencies (libblkid, libselinux and its start-up probes) would cost
// every run more than the rest of its start-up (bench/README.md); the tests
// compare both maps with libmount's entry by entry.
#pragma once

#include <span>
#include <string_view>

#include "profile/named_flag.hpp"

namespace nsr::profile {

// An entry: its MS_* bits, and whether it is a negation (libmount's
// MNT_INVERT: "rw", "suid", ...).
using OptionMapEntry = NamedFlag<unsigned long>;

// The Linux map, in libmount's order.
std::span<const OptionMapEntry> linux_option_map();

// Options are matched by their name (what comes before a '='), and an
// entry that takes no value matches only an option without one (VALUED:
// a non-empty "=value" follows the name; "ro=" is "ro").

// The Linux map's entry named NAME, or nullptr. Its entries take no value.
const OptionMapEntry* find_linux_option(std::string_view name);

// NAME (VALUED or not) matches libmount's user-space map: a fixed name
// ("nofail", "user", "comment", ...) or a prefix ("x-", "X-"). "defaults",
// which that map lists without meaning, does not.
bool is_userspace_option(std::string_view name, bool valued);

}  // namespace nsr::profile
