// mkdir -p for the tool's own state directories (host side, not profile
// mount points: those go through reconcile::SecureFs).
#pragma once

#include <sys/types.h>

#include <string>

namespace nsr::cmd {

// Creates DIR with MODE and its missing parents with 0755 (existing ones are
// left as they are): the lock directory is private, but the parent it shares
// with the namespace directory (/run/nsreconcile) must stay searchable, as
// snapd's /run/snapd is. Throws std::system_error naming the directory.
void make_dirs(const std::string& dir, mode_t mode);

}  // namespace nsr::cmd
