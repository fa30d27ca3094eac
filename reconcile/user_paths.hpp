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
    gid_t gid = 0;          // the user's group (user_group())
    std::string real_home;  // $SNAP_REAL_HOME as given ("" when unset)
};

// The group of UID's per-user mounts: the caller's when the caller is UID
// (snap-confine runs snap-update-ns with the user's real uid and gid), else
// UID's primary group in the user database, else the number UID itself.
// On the host side: the namespace's /etc may be another one.
gid_t user_group(uid_t uid);

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
// fails the whole update, as in snapd. A tmpfs that names no uid= or gid=
// gets DIRS.uid and DIRS.gid: snapd mounts it as the user.
void expand_user_paths(profile::MountProfile& profile, const UserDirs& dirs);

}  // namespace nsr::reconcile
