#include "cmd/thaw_guard.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <system_error>

namespace nsr::cmd {

namespace {

// What the writer sends once the cgroups are thawed.
constexpr char kThawed = 'T';

// Closes every fd except those in KEEP (sorted), so that the guard holds
// nothing of its parent's: not the namespace lock, not a pipe another
// process waits on. Async-signal-safe. close_range (Linux 5.9) failing
// leaves fds open in a process that exits soon: nothing to report to.
void close_all_but(const std::vector<int>& keep) {
    unsigned first = 0;
    for (int fd : keep) {
        if (static_cast<unsigned>(fd) > first)
            ::syscall(SYS_close_range, first, static_cast<unsigned>(fd) - 1, 0);
        first = static_cast<unsigned>(fd) + 1;
    }
    ::syscall(SYS_close_range, first, UINT_MAX, 0);
}

[[noreturn]] void guard(int from_parent, const std::vector<ThawWrite>& writes,
                        const std::vector<int>& keep) {
    // Only async-signal-safe calls from here on. The terminal's signals go
    // to the parent, whose handler thaws; the guard stays for the rest.
    ::setsid();
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE})
        ::sigaction(sig, &ignore, nullptr);
    close_all_but(keep);
    char word = 0;
    ssize_t n;
    do {
        n = ::read(from_parent, &word, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1 && word == kThawed)
        ::_exit(0);
    for (const auto& w : writes) {
        if (::lseek(w.fd, 0, SEEK_SET) < 0)
            continue;
        ssize_t written;
        do {
            written = ::write(w.fd, w.text, w.len);
        } while (written < 0 && errno == EINTR);
    }
    ::_exit(0);
}

}  // namespace

ThawGuard::ThawGuard(const std::vector<ThawWrite>& writes) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot make the thaw guard's pipe");
    // Everything the child needs is ready before the fork.
    std::vector<int> keep{fds[0]};
    for (const auto& w : writes)
        keep.push_back(w.fd);
    std::sort(keep.begin(), keep.end());
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::system_error(err, std::generic_category(), "cannot start the thaw guard");
    }
    if (pid == 0)
        guard(fds[0], writes, keep);
    ::close(fds[0]);
    pid_ = pid;
    pipe_ = fds[1];
}

ThawGuard::~ThawGuard() {
    disarm();
}

void ThawGuard::disarm() {
    if (pid_ < 0)
        return;
    // A failed write is an end of file for the guard: it thaws the thawed
    // cgroups once more, which changes nothing.
    ssize_t n;
    do {
        n = ::write(pipe_, &kThawed, 1);
    } while (n < 0 && errno == EINTR);
    ::close(pipe_);
    pipe_ = -1;
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

}  // namespace nsr::cmd
