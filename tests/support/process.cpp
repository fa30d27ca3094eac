#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "base/file.hpp"
#include "mntns/namespace.hpp"

namespace nsr::test {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// Output goes to memory files rather than pipes: nothing has to drain them
// while the command runs, so a chatty command cannot block on a full pipe.
int memory_file(const char* name) {
    int fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        fail("memfd_create");
    return fd;
}

// All that was written to the memory file FD.
std::string contents(int fd) {
    if (::lseek(fd, 0, SEEK_SET) != 0)
        fail("lseek");
    return nsr::base::read_fd(fd, 256 << 20, "the output of a command");
}

// For the child between fork and exec: one write, no allocation to fail.
void say(const std::string& text) {
    (void)!::write(STDERR_FILENO, text.data(), text.size());
}

[[noreturn]] void exec_child(char* const* argv, const RunOptions& o, int in, int out, int err) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
        ::dup2(o.merge_err ? out : err, STDERR_FILENO) < 0)
        ::_exit(127);
    if (!o.ns_file.empty()) {
        try {
            nsr::mntns::enter(o.ns_file);
        } catch (const std::exception& e) {
            say(std::string(e.what()) + "\n");
            ::_exit(127);
        }
    }
    for (const auto& e : o.env)
        ::putenv(const_cast<char*>(e.c_str()));
    ::execvp(argv[0], argv);
    say(std::string("cannot run ") + argv[0] + ": " + std::strerror(errno) + "\n");
    ::_exit(127);
}

// Waits for PID up to TIMEOUT_SEC; false when the time ran out first.
bool wait_for(pid_t pid, double timeout_sec, int& status) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_sec);
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0)
        fail("pidfd_open");
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{pidfd, POLLIN, 0};
        const int r = ::poll(&pfd, 1, left.count() > 0 ? static_cast<int>(left.count()) + 1 : 0);
        if (r > 0)
            break;
        if (r == 0 && left.count() <= 0) {
            ::close(pidfd);
            return false;
        }
        if (r < 0 && errno != EINTR) {
            ::close(pidfd);
            fail("poll");
        }
    }
    ::close(pidfd);
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            fail("waitpid");
    }
    return true;
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const RunOptions& options)
    : timeout_sec_(options.timeout_sec) {
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int in = memory_file("stdin");
    nsr::base::write_all(in, options.input, "the input of a command");
    if (::lseek(in, 0, SEEK_SET) != 0)
        fail("lseek");
    out_ = options.stdout_fd >= 0 ? -1 : memory_file("stdout");
    err_ = memory_file("stderr");
    pid_ = ::fork();
    if (pid_ < 0)
        fail("fork");
    if (pid_ == 0)
        exec_child(args.data(), options, in, options.stdout_fd >= 0 ? options.stdout_fd : out_,
                   err_);
    ::close(in);
}

Process::~Process() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0)
        ::close(out_);
    ::close(err_);
}

Output Process::wait() {
    Output o;
    int status = 0;
    if (!wait_for(pid_, timeout_sec_, status)) {
        o.timed_out = true;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (out_ >= 0)
        o.out = contents(out_);
    o.err = contents(err_);
    return o;
}

Output run(const std::vector<std::string>& argv, const RunOptions& options) {
    return Process(argv, options).wait();
}

Output run_shell(const std::string& script, const RunOptions& options) {
    return run({"/bin/sh", "-c", script}, options);
}

Output run_binary(const std::vector<std::string>& args, const RunOptions& options) {
    std::vector<std::string> argv{NSR_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, options);
}

}  // namespace nsr::test
