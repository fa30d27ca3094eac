#include <doctest/doctest.h>
#include <sys/stat.h>

#include "tests/ns/world.hpp"

using nsr::test::read_file;
using nsr::test::run_binary;
using nsr::test::sh;
using nsr::test::World;

TEST_CASE(
    "apply --user-mounts: $XDG_RUNTIME_DIR is /run/user/UID, with a current profile of its own") {
    World w;
    sh("mkdir -p /run/user/4242/src /run/user/4242/dst && echo doc > /run/user/4242/src/f");
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    nsr::test::write_file("/var/lib/nsreconcile/profiles/demo.user.fstab",
                          "$XDG_RUNTIME_DIR/src $XDG_RUNTIME_DIR/dst none bind,ro 0 0\n");
    auto c = run_binary({"apply", "demo", "--user-mounts", "-u", "4242"});
    INFO(c.out, c.err);
    REQUIRE(c.status == 0);
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", "/run/user/4242/dst/f"}).out == "doc\n");
    // Expanded in the saved log, which is the user's, not the namespace's.
    CHECK(read_file("/run/nsreconcile/ns/demo.4242.user.fstab") ==
          "/run/user/4242/src /run/user/4242/dst none bind,ro 0 0\n");
    struct stat st;
    CHECK(::lstat("/run/nsreconcile/ns/demo.fstab", &st) != 0);
    // A second run finds it done.
    auto again = run_binary({"apply", "demo", "--user-mounts", "-u", "4242"});
    CHECK(again.out == "nothing changed, 1 unchanged\n");
}

TEST_CASE("apply --user-mounts: $HOME in ensure-dir entries is SNAP_REAL_HOME, and must be valid") {
    World w;
    sh("mkdir -p " + (w / "home/u"));
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    const std::string entry =
        "none $HOME/.config/app none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=$HOME 0 0";
    nsr::test::write_file("/var/lib/nsreconcile/profiles/demo.user.fstab", entry + "\n");
    const std::vector<std::string> apply{NSR_BINARY, "apply", "demo", "--user-mounts", "-u", "0"};

    auto bad = nsr::test::run(apply, {.env = {"SNAP_REAL_HOME=home/u"}});
    CHECK(bad.status == 1);
    CHECK(bad.err == "nsreconcile: cannot expand mount entry (" + entry +
                         "): cannot use invalid home directory \"home/u\": not an absolute path\n");
    CHECK(sh("ls -A " + (w / "home/u")) == "");

    auto good = nsr::test::run(apply, {.env = {"SNAP_REAL_HOME=" + (w / "home/u")}});
    INFO(good.err);
    CHECK(good.status == 0);
    CHECK(sh("test -d " + (w / "home/u/.config/app") + " && echo yes") == "yes\n");
}

TEST_CASE("apply: -u without --user-mounts is a usage error") {
    World w;
    CHECK(run_binary({"apply", "demo", "-u", "1"}).status == 2);
}
