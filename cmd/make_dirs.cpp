#include "cmd/make_dirs.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <system_error>

#include "base/path.hpp"

namespace nsr::cmd {

void make_dirs(const std::string& dir, mode_t mode) {
    if (dir == "/" || dir == "." || dir.empty())
        return;
    if (::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST)
        return;
    if (errno != ENOENT)
        throw std::system_error(errno, std::generic_category(), "cannot create " + dir);
    make_dirs(base::parent_dir(dir), 0755);
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
        throw std::system_error(errno, std::generic_category(), "cannot create " + dir);
}

}  // namespace nsr::cmd
