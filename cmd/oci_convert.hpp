// The mounts of an OCI runtime spec (config.json) as a desired profile,
// with runc's meanings (runc 1.1, libcontainer/specconv and
// libcontainer/rootfs_linux.go):
//   - "bind" or "rbind" among the options makes a bind, whatever the type;
//     any other flag runc knows then makes runc remount the top mount with
//     exactly those flags (x-nsr.top-flags), and the r* flags (rro,
//     rnosuid, ...) apply to the whole tree (x-nsr.rro, ...);
//   - tmpfs and overlay mounts take their flags and data options as they
//     are; a tmpfs over a directory that exists in the root filesystem
//     gets that directory's mode unless the spec sets mode=;
//   - overlay layers (lowerdir=a:b::d, upperdir=, workdir=) are read as the
//     kernel reads mount(2) data (\, and \: escapes) and written with the
//     profile's \054 and \072;
//   - bind sources and overlay layers are host paths, resolved as the
//     kernel would (symlinks followed), relative bind sources against the
//     bundle directory; a file source becomes x-snapd.kind=file.
// The runtime's own pseudo-filesystems (proc, sysfs, devpts, mqueue,
// cgroup, cgroup2) are skipped with a note. Anything else that a profile
// cannot express is an OciSpecError naming the mount's index and field.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::cmd {

// Where the spec is wrong or asks for what a profile cannot express.
// what() reads "mounts[3].options[1]: ..." (or a message about the whole
// file, where there is no mount to name).
// It is bad input, a base::InputError: the name says where it comes from.
using OciSpecError = base::InputError;

struct HostPath {
    std::string path;  // absolute, clean, without symlinks
    reconcile::FileType type;
};

struct OciContext {
    // The directory holding config.json: relative bind sources and a
    // relative root.path start there.
    std::string bundle;
    // PATH (absolute) on the host, symlinks resolved, or nullopt when it
    // does not exist.
    std::function<std::optional<HostPath>(const std::string& path)> resolve;
    // The mode of DEST inside the root filesystem ROOT when it exists there
    // as a directory.
    std::function<std::optional<mode_t>(const std::string& root, const std::string& dest)>
        dest_mode;
};

struct OciConversion {
    profile::MountProfile profile;
    // One line each: what was skipped or dropped, and why.
    std::vector<std::string> notes;
};

// Converts the "mounts" of the config.json text JSON. Throws OciSpecError.
OciConversion oci_mounts_convert(std::string_view json, const OciContext& context);

// The context for converting on this host (realpath, stat).
OciContext oci_host_context(const std::string& bundle);

}  // namespace nsr::cmd
