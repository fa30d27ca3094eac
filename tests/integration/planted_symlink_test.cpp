// Someone who can write in the application's namespace plants a symlink
// where the tool would make a mount point: the tool must refuse it, mount
// nothing through it and leave the symlink's target alone.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

// Plants R/var/snap/foo/common/planted -> R/victim, applies ENTRY, and
// checks that it failed (exit 1) naming the symlink, and that nothing changed.
void refused(const Sandbox& sb, const std::string& entry) {
    const std::string planted = sb.path("var/snap/foo/common/planted");
    REQUIRE(sb.app({"ln", "-s", sb.path("victim"), planted}).status == 0);
    const auto before = sb.app_mountinfo();
    const auto a = sb.apply_json(fstab({entry}));
    INFO(a.log);
    CHECK(a.status == 1);
    const auto& report = a.changes;
    REQUIRE(report.size() == 1);
    CHECK(report[0].outcome == "failed");
    CHECK(report[0].detail.find("\"" + planted + "\"") != std::string::npos);
    CHECK((report[0].detail.find("symbolic link") != std::string::npos ||
           report[0].detail.find("not a directory") != std::string::npos));

    CHECK(sb.app_mountinfo() == before);
    CHECK(sb.app({"ls", "-A", sb.path("victim")}).out == "");
    CHECK(sb.app({"readlink", planted}).out == sb.path("victim") + "\n");
    CHECK(sb.current() == "");
}

}  // namespace

TEST_CASE("a symlink planted in the path of a mount point is refused, not followed") {
    Sandbox sb;
    const std::string source = sb.path("snap/provider/2/lib");
    const std::string below = sb.path("var/snap/foo/common/planted/lib");
    SUBCASE("content entry") {
        refused(sb, source + " " + below + " none bind 0 0");
    }
    SUBCASE("layout entry") {
        refused(sb, source + " " + below + " none rbind,rw,x-snapd.origin=layout 0 0");
    }
    SUBCASE("file entry") {
        refused(sb, sb.path("snap/provider/2/etc/foo.conf") + " " + below +
                        ".conf none bind,x-snapd.kind=file 0 0");
    }
    SUBCASE("symlink entry") {
        refused(sb,
                "none " + below + " none x-snapd.kind=symlink,x-snapd.symlink=" + source + " 0 0");
    }
}

TEST_CASE("a symlink planted at the mount point itself is refused") {
    Sandbox sb;
    refused(sb, sb.path("snap/provider/2/lib") + " " + sb.path("var/snap/foo/common/planted") +
                    " none bind 0 0");
}
