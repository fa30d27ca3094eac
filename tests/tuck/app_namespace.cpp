#include "tests/tuck/app_namespace.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tests/support/fd_io.hpp"

namespace nsr::tuck::test {

using nsr::test::read_all;
using nsr::test::write_all;

namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

// Forks a child that runs BODY and reports through a pipe: "+" and BODY's
// result, or "-" and what went wrong. GO, when given, is read by the child
// before it exits, so the parent can act on the child's namespace first.
struct Child {
    pid_t pid = -1;
    int from = -1;
    int go = -1;
};

Child spawn(const std::function<std::string()>& body, bool wait_for_go) {
    int out[2], go[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) < 0 || (wait_for_go && ::pipe2(go, O_CLOEXEC) < 0))
        throw std::runtime_error("pipe: " + errno_text(errno));
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork: " + errno_text(errno));
    if (pid == 0) {
        ::close(out[0]);
        if (wait_for_go)
            ::close(go[1]);
        std::string msg;
        try {
            msg = "+" + body();
        } catch (const std::exception& e) {
            msg = std::string("-") + e.what();
        }
        write_all(out[1], msg);
        ::close(out[1]);
        if (wait_for_go) {
            char c;
            (void)!::read(go[0], &c, 1);
        }
        // No exit handlers: they belong to the parent (doctest, sanitizers).
        ::_exit(0);
    }
    ::close(out[1]);
    if (wait_for_go)
        ::close(go[0]);
    return {pid, out[0], go[1]};
}

// The child's report (read to EOF), or throws with it.
std::string report_of(Child& c, const std::string& what) {
    std::string msg = read_all(c.from);
    ::close(c.from);
    if (msg.empty() || msg[0] != '+')
        throw std::runtime_error(what + ": " + (msg.empty() ? "child died" : msg.substr(1)));
    return msg.substr(1);
}

void reap(Child& c) {
    if (c.go >= 0)
        ::close(c.go);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
}

}  // namespace

CpuPin::CpuPin() {
    if (::sched_getaffinity(0, sizeof saved_, &saved_) != 0)
        throw std::runtime_error("sched_getaffinity: " + errno_text(errno));
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(::sched_getcpu(), &one);
    if (::sched_setaffinity(0, sizeof one, &one) != 0)
        throw std::runtime_error("sched_setaffinity: " + errno_text(errno));
    pinned_ = true;
}

CpuPin::~CpuPin() {
    restore();
}

void CpuPin::restore() {
    if (pinned_)
        ::sched_setaffinity(0, sizeof saved_, &saved_);
    pinned_ = false;
}

void make_app_namespace(const std::string& ns_file, const std::function<void()>& inside) {
    int fd = ::open(ns_file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        throw std::runtime_error("cannot create " + ns_file + ": " + errno_text(errno));
    ::close(fd);
    int err = 0;
    for (int attempt = 0; attempt < 50; ++attempt) {
        Child c = spawn(
            [&] {
                if (::unshare(CLONE_NEWNS) != 0)
                    throw std::runtime_error("unshare: " + errno_text(errno));
                if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
                    throw std::runtime_error("cannot make / private: " + errno_text(errno));
                if (inside)
                    inside();
                return std::string();
            },
            true);
        try {
            report_of(c, "cannot set up the application namespace");
        } catch (...) {
            reap(c);
            throw;
        }
        const std::string proc = "/proc/" + std::to_string(c.pid) + "/ns/mnt";
        err = ::mount(proc.c_str(), ns_file.c_str(), nullptr, MS_BIND, nullptr) == 0 ? 0 : errno;
        reap(c);
        if (err != EINVAL)
            break;
    }
    if (err != 0)
        throw std::runtime_error("cannot bind the namespace at " + ns_file + ": " +
                                 errno_text(err));
}

std::string run_in_namespace(const std::string& ns_file, const std::function<std::string()>& body) {
    Child c = spawn(
        [&] {
            int fd = ::open(ns_file.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0 || ::setns(fd, CLONE_NEWNS) != 0)
                throw std::runtime_error("cannot enter " + ns_file + ": " + errno_text(errno));
            ::close(fd);
            return body();
        },
        false);
    std::string out;
    try {
        out = report_of(c, "in " + ns_file);
    } catch (...) {
        reap(c);
        throw;
    }
    reap(c);
    return out;
}

}  // namespace nsr::tuck::test
