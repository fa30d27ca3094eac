// Crash-safe replacement of a file through a directory fd.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace nsr::profile {

// Writes DATA to a new temp file next to NAME inside DIRFD (O_EXCL), fsyncs
// it, renames it over NAME and fsyncs the directory. Readers see the old
// file or the new one, never a torn one. The temp file is removed on
// failure. The file gets exactly MODE, whatever the umask. DIRFD must be open
// for reading (not O_PATH) so that it can be fsync'd. Throws
// std::system_error naming DISPLAY (the path for messages).
void atomic_write_at(int dirfd, const std::string& name, std::string_view data, mode_t mode,
                     const std::string& display);

}  // namespace nsr::profile
