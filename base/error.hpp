// How a failed system call becomes an error, in every layer: a
// std::system_error whose code is the errno and whose message names the step
// and the path ("cannot open \"/x\""); what() then ends with the errno text.
// Nothing else is thrown for a system call's failure.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace nsr::base {

// Input that is wrong and that the user has to fix: a profile, scenario,
// configuration or mount table that does not parse or check, a command
// line, a path that is not what it must be. The command line maps it to
// exit code 2 (cmd/exit_code.hpp). what() reads "SOURCE:LINE: MESSAGE",
// without the parts that are absent (LINE 0, SOURCE "").
class InputError : public std::runtime_error {
  public:
    explicit InputError(const std::string& message) : InputError("", 0, message) {}
    InputError(std::string source, int line, std::string message);
    const std::string& source() const { return source_; }
    int line() const { return line_; }
    const std::string& message() const { return message_; }

  private:
    std::string source_;
    int line_;
    std::string message_;
};

// Throws std::system_error for NEG_ERRNO (-errno, as the Kernel seam
// returns it), with WHAT as the message.
[[noreturn]] void throw_errno(int neg_errno, const std::string& what);

// The text of the error code ERR (positive, as errno holds it), for the
// debug lines that report a failure and go on.
std::string errno_text(int err);

// RC when it is not negative; else throws as throw_errno(RC, WHAT). For
// results in the Kernel seam's convention (-errno on failure).
inline int check_rc(int rc, const std::string& what) {
    if (rc < 0)
        throw_errno(rc, what);
    return rc;
}

// RC when it is not negative; else throws with the current errno. For libc
// calls that return -1 and set errno (an fd, a count or 0 on success).
template <typename T>
T check_sys(T rc, const std::string& what) {
    if (rc < 0)
        throw_errno(-errno, what);
    return rc;
}

}  // namespace nsr::base
