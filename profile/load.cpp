#include <fcntl.h>

#include "base/file.hpp"
#include "profile/fstab.hpp"

namespace nsr::profile {

MountProfile load_profile_at(int dirfd, const std::string& name, const std::string& display) {
    // A namespace that was never updated has no current profile yet.
    const auto text =
        base::try_read_file_at(dirfd, name, kMaxProfileBytes, "mount profile " + display);
    return text ? parse_profile(*text, display) : MountProfile{};
}

MountProfile load_profile(const std::string& path) {
    return load_profile_at(AT_FDCWD, path, path);
}

}  // namespace nsr::profile
