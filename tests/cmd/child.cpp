#include "tests/cmd/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <stdexcept>

namespace nsr::cmd::test {

Child::Child(const std::function<void(int report_fd)>& body) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork");
    if (pid_ == 0) {
        ::close(p[0]);
        int code = 0;
        try {
            body(p[1]);
        } catch (const std::exception& e) {
            const std::string msg = std::string("child failed: ") + e.what();
            (void)!::write(p[1], msg.data(), msg.size());
            code = 1;
        }
        // No exit handlers: they belong to the parent (doctest, sanitizers).
        ::_exit(code);
    }
    ::close(p[1]);
    fd_ = p[0];
}

Child::~Child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    ::close(fd_);
}

std::string Child::read(size_t n) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (out.size() < n) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{fd_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
            break;
        char buf[512];
        ssize_t got = ::read(fd_, buf, sizeof buf);
        if (got <= 0)
            break;
        out.append(buf, static_cast<size_t>(got));
    }
    return out;
}

int Child::wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
}

}  // namespace nsr::cmd::test
