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

#include "base/error.hpp"
#include "base/file.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"

using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;

namespace {

// In a private mount namespace (mntns::run_in_private): the tmpfs and the
// two binds. Returns "DEV major:minor" (st_dev of froz), a blank line and
// the namespace's mountinfo. Nothing is mounted unless the new namespace is
// private, so the host's table is never touched.
std::string mount_and_read(const std::string& data) {
    using nsr::base::check_sys;
    check_sys(mount("tmpfs", data.c_str(), "tmpfs", 0, "size=1m"), "mount tmpfs on " + data);
    for (const char* dir : {"/foo", "/bar", "/froz"})
        check_sys(mkdir((data + dir).c_str(), 0755), std::string("mkdir ") + dir);
    check_sys(mount((data + "/foo").c_str(), (data + "/bar").c_str(), nullptr, MS_BIND, nullptr),
              "bind foo on bar");
    check_sys(mount((data + "/bar").c_str(), (data + "/froz").c_str(), nullptr, MS_BIND, nullptr),
              "bind bar on froz");
    struct stat froz {};
    check_sys(stat((data + "/froz").c_str(), &froz), "stat froz");
    return "DEV " + std::to_string(major(froz.st_dev)) + ":" + std::to_string(minor(froz.st_dev)) +
           "\n\n" + nsr::base::read_file("/proc/self/mountinfo", 64 << 20);
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
        out = nsr::mntns::run_in_private([&] { return mount_and_read(data); });
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
