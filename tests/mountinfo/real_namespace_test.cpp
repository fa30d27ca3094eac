// Produces the mountinfo of snapd's bind-of-a-bind question with the real
// kernel, in a throwaway mount namespace, and checks the parser's reading of
// it against stat() taken inside that namespace.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "mountinfo/mount_table.hpp"

using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;

namespace {

void write_all(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            return;
        }
        done += static_cast<size_t>(n);
    }
}

[[noreturn]] void child_fail(int fd, const std::string& what) {
    write_all(fd, "ERROR " + what + ": " + std::strerror(errno) + "\n");
    _exit(1);
}

// In the child: what `unshare -m --propagation private` does, then the tmpfs
// and the two binds. Writes "DEV major:minor" (st_dev of froz), a blank line
// and the namespace's mountinfo to FD. Nothing is mounted unless the new
// namespace is private, so the host's table is never touched.
[[noreturn]] void run_child(int fd, const std::string& data) {
    if (unshare(CLONE_NEWNS) != 0) {
        child_fail(fd, "unshare(CLONE_NEWNS)");
    }
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        child_fail(fd, "making / private");
    }
    if (mount("tmpfs", data.c_str(), "tmpfs", 0, "size=1m") != 0) {
        child_fail(fd, "mount tmpfs on " + data);
    }
    for (const char* dir : {"/foo", "/bar", "/froz"}) {
        if (mkdir((data + dir).c_str(), 0755) != 0) {
            child_fail(fd, std::string("mkdir ") + dir);
        }
    }
    if (mount((data + "/foo").c_str(), (data + "/bar").c_str(), nullptr, MS_BIND, nullptr) != 0) {
        child_fail(fd, "bind foo on bar");
    }
    if (mount((data + "/bar").c_str(), (data + "/froz").c_str(), nullptr, MS_BIND, nullptr) != 0) {
        child_fail(fd, "bind bar on froz");
    }
    struct stat froz {};
    if (stat((data + "/froz").c_str(), &froz) != 0) {
        child_fail(fd, "stat froz");
    }
    std::string out = "DEV " + std::to_string(major(froz.st_dev)) + ":" +
                      std::to_string(minor(froz.st_dev)) + "\n\n";
    const int info = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (info < 0) {
        child_fail(fd, "open /proc/self/mountinfo");
    }
    char buf[65536];
    for (ssize_t n; (n = read(info, buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<size_t>(n));
    }
    write_all(fd, out);
    _exit(0);
}

std::string run_in_namespace(const std::string& data) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        run_child(fds[1], data);
    }
    close(fds[1]);
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    INFO("child output: " << out);
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    return out;
}

}  // namespace

TEST_CASE("snapd's question with the real kernel (needs root)") {
    REQUIRE_MESSAGE(geteuid() == 0,
                    "needs root: this test mounts a tmpfs and two binds inside a private mount "
                    "namespace; run it as root");
    char scratch[] = "/tmp/nsr-mountinfo-XXXXXX";
    REQUIRE(mkdtemp(scratch) != nullptr);
    // Mount points in mountinfo are canonical paths.
    char real[PATH_MAX];
    REQUIRE(realpath(scratch, real) != nullptr);
    const std::string data = real;
    std::string out;
    try {
        out = run_in_namespace(data);
    } catch (...) {
        rmdir(scratch);
        throw;
    }
    // The mounts were in the child's namespace, gone with it: the scratch
    // directory is empty again.
    CHECK(rmdir(scratch) == 0);

    const size_t blank = out.find("\n\n");
    REQUIRE(blank != std::string::npos);
    unsigned dev_major = 0;
    unsigned dev_minor = 0;
    REQUIRE(std::sscanf(out.c_str(), "DEV %u:%u", &dev_major, &dev_minor) == 2);
    const MountTable table = MountTable::parse(out.substr(blank + 2), "child mountinfo");

    const Mount* tmpfs = table.top_at(data);
    REQUIRE(tmpfs != nullptr);
    CHECK(tmpfs->fstype == "tmpfs");
    CHECK(tmpfs->root == "/");
    CHECK(tmpfs->dev() == makedev(dev_major, dev_minor));
    for (const char* name : {"/bar", "/froz"}) {
        const Mount* bind = table.top_at(data + name);
        REQUIRE(bind != nullptr);
        CHECK(bind->root == "/foo");
        CHECK(bind->dev() == tmpfs->dev());
        CHECK(bind->parent_id == tmpfs->id);
    }
    const auto foo = table.resolve(data + "/foo");
    REQUIRE(foo.has_value());
    CHECK(foo->mount == tmpfs);
    CHECK(foo->path_in_fs == "/foo");
    const Mount* froz = table.top_at(data + "/froz");
    CHECK(froz->dev() == foo->mount->dev());
    CHECK(froz->root == foo->path_in_fs);
}
