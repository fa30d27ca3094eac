// mkdir -p for the tool's own state directories (host side, not profile
// mount points: those go through reconcile::SecureFs).
#pragma once

#include <sys/types.h>

#include <string>

namespace nsr::cmd {

// Creates DIR and its missing parents with MODE (existing ones are left as
// they are). Throws std::system_error naming the directory.
void make_dirs(const std::string& dir, mode_t mode);

}  // namespace nsr::cmd
