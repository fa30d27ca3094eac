#include "base/error.hpp"

#include <cerrno>
#include <system_error>

namespace nsr::base {

void throw_errno(int neg_errno, const std::string& what) {
    throw std::system_error(-neg_errno, std::generic_category(), what);
}

long check_sys(long rc, const std::string& what) {
    if (rc < 0)
        throw_errno(-errno, what);
    return rc;
}

}  // namespace nsr::base
