// Where the reconciler may create mount points (directories, files,
// symlinks) on the host's filesystems without a writable mimic: the policy
// half of snapd's trespassing model (cmd/snap-update-ns/trespassing.go; the
// lists come from system.go and user.go). Everywhere else a write is
// allowed only on a tmpfs that the profile itself mounted; a read-only
// filesystem leads to a mimic; anything else is trespassing.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace nsr::reconcile {

// Every member has an initializer, so that designated initializers may name
// only the ones that matter.
struct WritablePlaces {
    // Below these directories anything may be created.
    std::vector<std::string> unrestricted{};
    // Directories created for paths matching a glob ('*' does not cross
    // '/') get its mode instead of 0755.
    std::vector<std::pair<std::string, mode_t>> mode_hints{};
    // snapd checks every directory on the way to a new mount point, the
    // existing ones it only walks through included, so on a writable root
    // nothing outside the list can be made even below a tmpfs of the
    // profile's. False checks only the directories something is created in.
    bool check_walked_dirs = true;
};

// snapd's list for the system profile of snap instance NAME (SNAP[_KEY]):
// /tmp, /var/snap, /snap/NAME (and /snap/SNAP), /dev/shm, /run/systemd,
// /var/lib/snapd/hostfs/tmp, with snapd's modes for the private /tmp and
// /dev/shm directories it makes.
WritablePlaces snapd_system_places(const std::string& name);

// snapd's list for a per-user profile: the user's real home only (none
// when REAL_HOME is empty).
WritablePlaces user_places(const std::string& real_home);

// The native layout's list when the configuration file sets none.
const std::vector<std::string>& default_native_writable();

// The native layout's policy: PLACES (the configuration file's
// `writable:` list, or default_native_writable()), and only the
// directories something is created in are checked.
WritablePlaces native_places(std::vector<std::string> places);

}  // namespace nsr::reconcile
