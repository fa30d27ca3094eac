#include "tests/support/scratch.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <stdexcept>

#include "tests/support/fd_io.hpp"

namespace nsr::test {

Scratch::Scratch() {
    char tmpl[] = "/tmp/nsr-scratch-XXXXXX";
    if (!::mkdtemp(tmpl))
        throw std::runtime_error("cannot create scratch directory");
    path_ = std::filesystem::canonical(tmpl).string();
}

Scratch::~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

namespace {

std::string child_body(const std::function<std::string()>& body) {
    if (::unshare(CLONE_NEWNS) < 0)
        return "child failed: unshare(CLONE_NEWNS) failed";
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
        return "child failed: cannot make / private";
    try {
        return body();
    } catch (const std::exception& e) {
        return std::string("child failed: ") + e.what();
    }
}

}  // namespace

std::string run_in_private_ns(const std::function<std::string()>& body) {
    int p[2];
    if (::pipe(p) < 0)
        return "child failed: pipe";
    pid_t pid = ::fork();
    if (pid < 0)
        return "child failed: fork";
    if (pid == 0) {
        ::close(p[0]);
        write_all(p[1], child_body(body));
        // No exit handlers: they belong to the parent (doctest, sanitizers).
        ::_exit(0);
    }
    ::close(p[1]);
    const std::string out = read_all(p[0]);
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "child failed: status " + std::to_string(status) + ", output: " + out;
    return out;
}

void require_root(const char* why) {
    REQUIRE_MESSAGE(::geteuid() == 0, "needs root: ", why);
}

}  // namespace nsr::test
