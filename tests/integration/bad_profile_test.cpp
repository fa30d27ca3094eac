// A bad profile is rejected before anything happens: exit 2, one line
// naming the file and the line, and neither the namespace nor the current
// profile changes.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

TEST_CASE("a bad profile exits 2 naming file:line and changes nothing") {
    Sandbox sb;
    const std::string common = sb.path("var/snap/foo/common");
    const std::string good =
        sb.path("snap/provider/2/lib") + " " + common + "/lib none bind,ro 0 0";
    const std::string removed =
        sb.path("snap/provider/1/lib") + " " + common + "/old none bind,ro 0 0";
    sb.set_desired(fstab({good, removed}));
    REQUIRE(sb.apply().status == 0);
    const auto current = sb.current();
    REQUIRE(current == fstab({good, removed}));
    const auto before = sb.app_mountinfo();

    std::string file = sb.desired_file();
    std::string line2;
    SUBCASE("a malformed line") {
        line2 = "only-two " + common + "/x";
    }
    SUBCASE("a relative mount point") {
        line2 = sb.path("snap/provider/2/lib") + " var/snap/foo/common/x none bind 0 0";
    }
    SUBCASE("an unclean mount point") {
        line2 = sb.path("snap/provider/2/lib") + " " + common + "/../x none bind 0 0";
    }
    SUBCASE("a NUL byte in the mount point") {
        // The system calls would end the path at the NUL, at common/x, and
        // nothing would ever match the entry: each run would stack a mount.
        line2 = "tmpfs " + common + "/x" + std::string(1, '\0') + "y tmpfs mode=0755 0 0";
    }
    SUBCASE("a NUL byte escaped as \\000") {
        line2 = sb.path("snap/provider/2/lib") + "\\000 " + common + "/x none bind,ro 0 0";
    }
    SUBCASE("an unknown kind") {
        line2 = "none " + common + "/x none x-snapd.kind=weird 0 0";
    }
    SUBCASE("a malformed current profile") {
        file = sb.current_file();
        sb.write_file("state/current.fstab", *current + "only-two fields\n");
        line2 = sb.path("snap/provider/2/lib") + " " + common + "/x none bind,ro 0 0";
    }
    const auto current_before = sb.current();
    // The good line first: nothing of a profile is applied when a later
    // line is bad.
    sb.set_desired(fstab({good, line2}));

    const Output o = sb.apply();
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    CHECK(o.status == 2);
    CHECK(o.out == "");
    CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
    const std::string where = file + ":" + (file == sb.current_file() ? "3" : "2") + ": ";
    CHECK(o.err.find(where) != std::string::npos);
    CHECK(sb.app_mountinfo() == before);
    CHECK(sb.current() == current_before);
}
