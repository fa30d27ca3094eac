#include "tests/integration/process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

namespace nsr::integration {

namespace {

// Output goes to memory files rather than pipes: nothing has to drain them
// while the command runs, so a chatty command cannot block on a full pipe.
int memory_file(const char* name) {
    int fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "memfd_create");
    return fd;
}

std::string contents(int fd) {
    std::string text;
    char buf[4096];
    off_t off = 0;
    for (ssize_t n; (n = ::pread(fd, buf, sizeof buf, off)) > 0; off += n)
        text.append(buf, static_cast<size_t>(n));
    return text;
}

void write_str(int fd, const std::string& s) {
    if (::write(fd, s.data(), s.size()) < 0)
        return;
}

[[noreturn]] void exec_child(char* const* argv, const std::string& ns_file, int out, int err) {
    if (::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0)
        ::_exit(127);
    if (!ns_file.empty()) {
        int ns = ::open(ns_file.c_str(), O_RDONLY | O_CLOEXEC);
        if (ns < 0 || ::setns(ns, CLONE_NEWNS) != 0) {
            write_str(STDERR_FILENO,
                      "cannot enter " + ns_file + ": " + std::strerror(errno) + "\n");
            ::_exit(127);
        }
        ::close(ns);
    }
    ::execvp(argv[0], argv);
    write_str(STDERR_FILENO,
              std::string("cannot run ") + argv[0] + ": " + std::strerror(errno) + "\n");
    ::_exit(127);
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::string& ns_file) {
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    out_ = memory_file("stdout");
    err_ = memory_file("stderr");
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::system_error(errno, std::generic_category(), "fork");
    if (pid_ == 0)
        exec_child(args.data(), ns_file, out_, err_);
}

Process::~Process() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
    ::close(err_);
}

Output Process::wait(double timeout_sec) {
    Output o;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_sec);
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_)
            break;
        if (r < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "waitpid");
        if (std::chrono::steady_clock::now() >= deadline) {
            o.timed_out = true;
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    pid_ = -1;
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = contents(out_);
    o.err = contents(err_);
    return o;
}

Output run(const std::vector<std::string>& argv, const std::string& ns_file, double timeout_sec) {
    return Process(argv, ns_file).wait(timeout_sec);
}

}  // namespace nsr::integration
