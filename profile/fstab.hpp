// Reading and writing the fstab-like profile text (snapd's format: octal
// escapes \040 \011 \012 \134, 3 to 6 fields, '#' comments).
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "profile/mount_entry.hpp"

namespace nsr::profile {

// A problem found at one line of a profile.
struct Problem {
    int line;
    std::string message;
};

std::string unescape(std::string_view field);
// The reverse of unescape(). A backslash that starts an overlay layer's
// \054 or \072 is left as it is (unescape() leaves those alone too).
std::string escape(std::string_view field);
// Does the raw FIELD hold a NUL byte, or the escape \000? snapd keeps
// "\000" as text, but libmount and the kernel's readers of fstab decode it,
// and a path handed to a system call ends at its first NUL: either way the
// entry would name another path than it says.
bool has_nul(std::string_view field);

// Parses profile text. `source` names it in errors (usually the path).
// Throws base::InputError (SOURCE:LINE: message) on the first malformed line, unless PROBLEMS is
// given: then every malformed line is recorded there and skipped.
MountProfile parse_profile(std::string_view text, const std::string& source,
                           std::vector<Problem>* problems = nullptr);

// One entry per line, each ending in '\n'; an empty profile is "".
std::string format_profile(const MountProfile& profile);
// The same; the text has room for SPARE more bytes (what a caller adds to
// it without the buffer being copied).
std::string format_entries(std::span<const MountEntry* const> entries, size_t spare = 0);

// The longest line read: snapd reads profiles with Go's bufio.Scanner,
// whose buffer holds at most 64 KiB including the newline.
inline constexpr size_t kMaxLineBytes = 64 * 1024 - 1;

// The largest profile file read: 64 KiB lines (snapd's limit) of several
// thousand entries stay far below it.
inline constexpr size_t kMaxProfileBytes = 64 << 20;

// Reads and parses PATH; a missing file is an empty profile. Other I/O
// errors, a file that is not a regular file and one larger than
// kMaxProfileBytes throw std::system_error naming the path (base/file.hpp).
MountProfile load_profile(const std::string& path);
// The same relative to a directory fd (works after setns).
MountProfile load_profile_at(int dirfd, const std::string& name, const std::string& display);

}  // namespace nsr::profile
