// The current profile is only a log; the kernel is the truth. With the log
// lost, a re-run starts from the journal's copy of it; with the journal
// lost too, it finds every entry already in place. Either way it stacks
// nothing and writes the log again. With nothing lost and nothing to
// change, it writes neither the log nor the journal.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

TEST_CASE("a re-run after the current profile was lost stacks nothing and rewrites it") {
    Sandbox sb;
    const std::string common = sb.path("var/snap/foo/common");
    const std::string desired = fstab({
        sb.path("snap/provider/2/lib") + " " + common + "/bind none bind,ro 0 0",
        "none " + common +
            "/link none x-snapd.kind=symlink,x-snapd.symlink=" + sb.path("base/conf") + " 0 0",
        sb.path("var/snap/provider/common/tree") + " " + common + "/rtree none rbind,rw 0 0",
        "tmpfs " + common + "/tmp tmpfs mode=0700 0 0",
        sb.path("snap/provider/2/etc/foo.conf") + " " + common +
            "/z.conf none bind,ro,x-snapd.kind=file 0 0",
    });
    sb.set_desired(desired);
    const Output first = sb.apply();
    INFO("first run: " << first.out << first.err);
    REQUIRE(first.status == 0);
    REQUIRE(sb.current() == desired);
    const std::string applied = sb.app_mountinfo();

    SUBCASE("the journal stands in for it") {
        REQUIRE(sb.outer({"rm", sb.current_file()}).status == 0);
        REQUIRE_FALSE(sb.current());
        sb.check_rerun_finds_all_done(5, "keep");
    }
    SUBCASE("and the journal too") {
        REQUIRE(sb.outer({"rm", sb.current_file(), sb.current_file() + ".journal"}).status == 0);
        REQUIRE_FALSE(sb.current());
        sb.check_rerun_finds_all_done(5, "mount");
    }
    // Not one mount added or taken away, ids included.
    CHECK(sb.app_mountinfo() == applied);
    CHECK(sb.current() == desired);
}

// A run that changes nothing rewrites neither file (snapd rewrites its
// current profile every time): same inode, same modification time. One
// that changes something renames a new current profile into place.
TEST_CASE("a re-run that changes nothing leaves the current profile and the journal as they were") {
    Sandbox sb;
    const std::string common = sb.path("var/snap/foo/common");
    const std::string bind =
        sb.path("snap/provider/2/lib") + " " + common + "/bind none bind,ro 0 0";
    const std::string tmpfs = "tmpfs " + common + "/tmp tmpfs mode=0700 0 0";
    sb.set_desired(fstab({bind, tmpfs}));
    REQUIRE(sb.apply().status == 0);
    // Inode and modification time (to the nanosecond), seen from outside.
    auto identity = [&](const std::string& path) {
        const Output o = sb.outer({"stat", "-c", "%i %y", path});
        REQUIRE(o.status == 0);
        return o.out;
    };
    const auto current = identity(sb.current_file());
    const auto journal = identity(sb.current_file() + ".journal");

    const Output again = sb.apply();
    INFO("second run: " << again.out << again.err);
    REQUIRE(again.status == 0);
    CHECK(identity(sb.current_file()) == current);
    CHECK(identity(sb.current_file() + ".journal") == journal);

    sb.set_desired(fstab({bind}));
    REQUIRE(sb.apply().status == 0);
    const std::string rewritten = identity(sb.current_file());
    CHECK(rewritten.substr(0, rewritten.find(' ')) != current.substr(0, current.find(' ')));
    CHECK(sb.current() == fstab({bind}));
}
