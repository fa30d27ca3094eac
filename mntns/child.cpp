#include "mntns/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <stdexcept>
#include <system_error>

#include "base/error.hpp"
#include "base/file.hpp"

namespace nsr::mntns {

namespace {

// A result larger than this is a runaway child, not an answer.
constexpr size_t kMaxResultBytes = 64 << 20;

// The write end of the result pipe, in a child until its result is sent.
int g_result_fd = -1;

// Sends FRAME and closes the pipe; false when the parent went away.
bool send_frame(const std::string& frame) {
    const int fd = g_result_fd;
    g_result_fd = -1;
    bool sent = true;
    try {
        base::write_all(fd, frame, "the result");
    } catch (const std::system_error&) {
        sent = false;
    }
    ::close(fd);
    return sent;
}

[[noreturn]] void child_main(const std::function<std::string()>& body, int to_parent, int release) {
    g_result_fd = to_parent;
    std::string frame;
    try {
        frame = "+" + body();
    } catch (const std::exception& e) {
        frame = std::string("-") + e.what();
    }
    // Nobody is left to tell when the parent went away.
    if (g_result_fd >= 0 && !send_frame(frame))
        ::_exit(1);
    if (release >= 0) {
        char c;
        while (::read(release, &c, 1) < 0 && errno == EINTR) {
        }
    }
    ::_exit(0);
}

}  // namespace

Child::Child(const std::function<std::string()>& body, Hold hold, std::string what)
    : what_(std::move(what)) {
    int result[2];
    int release[2] = {-1, -1};
    base::check_sys(::pipe2(result, O_CLOEXEC), "cannot make a pipe");
    base::Fd result_read(result[0]), result_write(result[1]);
    if (hold == Hold::UntilReleased)
        base::check_sys(::pipe2(release, O_CLOEXEC), "cannot make a pipe");
    base::Fd release_read(release[0]), release_write(release[1]);
    pid_ = static_cast<pid_t>(base::check_sys(::fork(), "cannot fork"));
    if (pid_ == 0) {
        result_read.reset();
        release_write.reset();
        child_main(body, result_write.get(), release_read.get());
    }
    from_child_ = std::move(result_read);
    release_ = std::move(release_write);
}

Child::~Child() {
    if (pid_ <= 0)
        return;
    release();
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

std::string Child::result() {
    const std::string frame =
        base::read_fd(from_child_.get(), kMaxResultBytes, "the result of " + what_);
    from_child_.reset();
    if (!frame.empty() && frame.front() == '+')
        return frame.substr(1);
    if (!frame.empty() && frame.front() == '-')
        throw std::runtime_error(frame.substr(1));
    const int status = wait();
    throw std::runtime_error(what_ + " died (status " + std::to_string(status) + ")");
}

void Child::send_result(const std::string& text) {
    if (g_result_fd >= 0)
        send_frame("+" + text);
}

void Child::release() {
    release_.reset();
}

int Child::wait() {
    release();
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR)
            base::throw_errno(-errno, "cannot wait for " + what_);
    }
    pid_ = -1;
    return status;
}

}  // namespace nsr::mntns
