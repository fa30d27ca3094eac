// An overlay entry's options, parsed: the layers in order, the upper and
// work directories and the flags that change how it is mounted.
//
// In a profile an overlay entry reads
//   overlay DIR overlay lowerdir=/a:/b:/c[,upperdir=U,workdir=W][,volatile][,ro]...
// The lower layers may also be given one at a time (lowerdir+=/a,lowerdir+=/b),
// data-only layers after "::" (lowerdir=/a::/d) or one at a time
// (datadir+=/d). A ',' or ':' inside a path is written \054 or \072, and a
// '\' that could start one of them \134 (the fstab layer has already turned
// \040, \011, \012 and \134 into their characters once).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profile/mount_entry.hpp"

namespace nsr::profile {

// What to do with a volatile overlay whose earlier use cannot be proven
// clean (x-nsr.volatile-stale=...).
enum class VolatileStale { Refuse, Quarantine };

struct OverlaySpec {
    std::vector<std::string> lower;  // top first, as the kernel stacks them
    std::vector<std::string> data;   // data-only layers, in order
    std::optional<std::string> upper;
    std::optional<std::string> work;
    bool is_volatile = false;
    bool read_only = false;  // the entry says "ro"
    // x-nsr.volatile-stale, when the entry sets it (absent: Refuse).
    std::optional<VolatileStale> stale;
    // Filesystem options the spec does not model (index=on, xino=auto,
    // metacopy=on, ...), in entry order, for the kernel as they are.
    std::vector<std::string> other;

    bool operator==(const OverlaySpec&) const = default;
};

// The spec of an overlay entry (type "overlay"). Throws std::invalid_argument
// with a message naming the option for what cannot be read at all: an empty
// layer, lowerdir= given twice or mixed with lowerdir+=, a lowerdir+= after
// a datadir+=, a bad x-nsr.volatile-stale value. Path rules (absolute,
// clean, where upper and work may be) are overlay_spec_problems()'s.
OverlaySpec overlay_spec_parse(const MountEntry& entry);

// What lint reports about the shape of a parsed spec for mount point DIR
// (validate_profile() adds the path checks: absolute, clean): no lower
// layer, an upper without a work dir or the reverse, work inside upper or
// the reverse, upper or work at or under DIR, volatile without an upper, a
// stale policy without volatile. A lower layer equal to DIR is valid (an
// overlay over a directory with itself below).
std::vector<std::string> overlay_spec_problems(const OverlaySpec& spec, const std::string& dir);

// Whether the overlay entries A and B name a common directory among their
// upperdirs and workdirs (clean paths compared): two live overlays may not
// share them, so one cannot be attached beneath the other. False when
// either has no upperdir, is not an overlay or cannot be parsed.
bool overlay_entries_share_pair(const MountEntry& a, const MountEntry& b) noexcept;

// Whether E is an overlay entry with an upperdir (false when its options
// cannot be parsed).
bool overlay_has_upper(const MountEntry& e) noexcept;

// A layer path as written in a profile option -> the path (\054 \072 \134
// decoded in one left-to-right pass; any other backslash stays).
std::string overlay_path_decode(std::string_view text);
// The reverse, for writing a path into a lowerdir=/upperdir=/workdir= option.
std::string overlay_path_encode(std::string_view path);

}  // namespace nsr::profile
