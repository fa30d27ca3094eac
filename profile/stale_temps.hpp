// Leftovers of an interrupted atomic write: base::write_file_at (and snapd's
// AtomicWriteFile) write NAME.<12 random alphanumerics>~ and rename it over
// NAME; a process killed in between leaves the temp file behind for good.
#pragma once

#include <string>
#include <vector>

namespace nsr::profile {

// Is ENTRY the name of a temp file of NAME (NAME, '.', exactly 12 ASCII
// letters or digits, '~')?
bool is_temp_of(const std::string& entry, const std::string& name);

// Removes every temp file of NAME in the directory DIRFD, and returns their
// names. The caller must hold the lock that writers of NAME take, so that
// no write in progress loses its temp file. Anything but a regular file is
// left alone. Throws std::system_error naming DISPLAY (the directory) when
// the directory cannot be listed or a temp file cannot be removed.
std::vector<std::string> remove_stale_temps_at(int dirfd, const std::string& name,
                                               const std::string& display);

}  // namespace nsr::profile
