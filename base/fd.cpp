#include "base/fd.hpp"

#include <unistd.h>

namespace nsr::base {

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other)
        reset(other.release());
    return *this;
}

int Fd::release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

void Fd::reset(int fd) {
    // close(2) releases the descriptor even when it reports an error, so a
    // retry could close another thread's new fd: never retried.
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = fd;
}

std::string Fd::proc_path() const {
    return "/proc/self/fd/" + std::to_string(fd_);
}

}  // namespace nsr::base
