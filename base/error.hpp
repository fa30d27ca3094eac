// How a failed system call becomes an error, in every layer: a
// std::system_error whose code is the errno and whose message names the step
// and the path ("cannot open \"/x\""); what() then ends with the errno text.
// Nothing else is thrown for a system call's failure.
#pragma once

#include <string>

namespace nsr::base {

// Throws std::system_error for NEG_ERRNO (-errno, as the Kernel seam
// returns it), with WHAT as the message.
[[noreturn]] void throw_errno(int neg_errno, const std::string& what);

// RC when it is not negative; else throws as throw_errno(RC, WHAT). For
// results in the Kernel seam's convention (-errno on failure).
inline int check_rc(int rc, const std::string& what) {
    if (rc < 0)
        throw_errno(rc, what);
    return rc;
}

// RC when it is not negative; else throws with the current errno. For libc
// calls that return -1 and set errno.
long check_sys(long rc, const std::string& what);

}  // namespace nsr::base
