// Per-user profiles name places relative to the user, as in snapd's user
// mode (cmd/snap-update-ns/expand.go and user.go): $XDG_RUNTIME_DIR and
// $HOME are expanded before anything is planned.
#pragma once

#include <sys/types.h>

#include <string>

#include "profile/mount_entry.hpp"

namespace nsr::reconcile {

struct UserDirs {
    uid_t uid = 0;          // $XDG_RUNTIME_DIR is /run/user/UID
    std::string real_home;  // $SNAP_REAL_HOME as given ("" when unset)
};

// "" when HOME can be the user's real home: an absolute, clean path to a
// directory (opened without following a final symlink). Otherwise
// "cannot use invalid home directory "HOME": WHY".
std::string home_problem(const std::string& home);

// In place, for every entry: $XDG_RUNTIME_DIR at the start of the source
// or the mount point becomes /run/user/UID. In x-snapd.kind=ensure-dir
// entries only, $HOME at the start of the mount point and of
// x-snapd.must-exist-dir becomes DIRS.real_home. A variable counts only as
// a whole component ("$HOMEX" is left alone). The real home is checked
// (home_problem) the first time an entry needs it; an unusable one throws
// std::runtime_error "cannot expand mount entry (ENTRY): PROBLEM", and
// fails the whole update, as in snapd.
void expand_user_paths(profile::MountProfile& profile, const UserDirs& dirs);

}  // namespace nsr::reconcile
