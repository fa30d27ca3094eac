// Is a mounted overlay the one an entry describes? The same lower and
// data-only layers in the same order, the same upper and work directories
// and the same read-only state, whatever spelling the kernel shows:
//   - layers given as one string: lowerdir=/a:/b::/d, with the overlay's own
//     escapes (\: \, \\) kept as they were given;
//   - layers given one by one, as paths or by fd: lowerdir+=/a,lowerdir+=/b,
//     datadir+=/d, each the path as it was resolved;
//   - mountinfo and statmount's option string write ',' '=' ' ' '\' and
//     control characters in octal (\054 ...); nsreconcile's own mountinfo
//     parser has already turned \040 \011 \012 \134 back, and either form is
//     read here; statmount's option array has no escapes left.
// Options the comparison does not model (uuid=on, redirect_dir=on,
// fsync=volatile, index=...) are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "profile/mount_entry.hpp"
#include "profile/overlay_spec.hpp"

namespace nsr::reconcile {

struct OverlayMatch {
    bool matches = false;
    // Why not, naming what differs ("has lower layers "/a", "/b", the entry
    // "/a", "/c""), or what matched; it follows "overlay at DIR ".
    std::string why;
};

// SUPER_OPTIONS: the super options of the mount as mountinfo shows them,
// starting with "ro" or "rw" (for statmount's mnt_opts, put "ro," or "rw,"
// in front from sb_flags). Never throws.
OverlayMatch overlay_matches(const profile::OverlaySpec& want, std::string_view super_options);

// The same from statmount's option array (STATMOUNT_OPT_ARRAY: one option
// an element, unescaped) and the superblock's read-only flag.
OverlayMatch overlay_matches(const profile::OverlaySpec& want,
                             const std::vector<std::string>& options, bool read_only);

// Whether the overlay with SUPER_OPTIONS (read as overlay_matches() reads
// them) has UPPER as its upperdir or WORK as its workdir.
bool overlay_uses_pair(std::string_view super_options, const std::string& upper,
                       const std::string& work);

// The layers of a lowerdir= string as overlayfs reads one (mount(2) data,
// fsconfig's "lowerdir", and what mountinfo shows for them): split at ':'
// not escaped by '\', the layers after "::" data-only, and in each layer a
// '\' taking the next character as it is.
struct LowerdirLayers {
    std::vector<std::string> lower;
    std::vector<std::string> data;
};
LowerdirLayers overlay_lowerdir_split(std::string_view value);

// overlayfs's unescaping of one path given as a string (upperdir=, a
// layer of lowerdir=): a '\' takes the next character as it is.
std::string overlay_unescape(std::string_view path);

// For needed(): ENTRY (type overlay) against a mount's super options. An
// entry whose options cannot be read never matches (it cannot be mounted
// either), and the why says what is wrong with it.
OverlayMatch overlay_entry_matches(const profile::MountEntry& entry,
                                   std::string_view super_options);

}  // namespace nsr::reconcile
