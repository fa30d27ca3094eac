// A layout whose mount point must be made in a read-only directory: the
// tool covers the directory with a writable mimic (a tmpfs with the
// original entries bound back), records the mimic as synthetic entries, and
// takes it all down again when the layout goes.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

// The layout and the entries snapd records for its mimic over R/base
// (snapd's change.go, createWritableMimic): the tmpfs with the directory's mode and owner, then one
// bind-back per file or directory, sorted by name; the symlink is recreated
// in the tmpfs, not recorded.
struct MimicProfile {
    std::string layout;
    std::string current;
};

MimicProfile mimic_profile(const Sandbox& sb) {
    const std::string base = sb.path("base");
    const std::string newdir = base + "/newdir";
    const std::string owner = "x-snapd.synthetic,x-snapd.needed-by=" + newdir;
    const std::string layout =
        sb.path("var/snap/foo/common") + " " + newdir + " none rbind,rw,x-snapd.origin=layout 0 0";
    return {fstab({layout}),
            fstab({"tmpfs " + base + " tmpfs " + owner + ",mode=0751,uid=0,gid=0 0 0",
                   base + "/conf " + base + "/conf none bind,x-snapd.kind=file," + owner + " 0 0",
                   base + "/share " + base + "/share none rbind," + owner + ",x-snapd.detach 0 0",
                   layout})};
}

}  // namespace

TEST_CASE("a layout under a read-only directory gets a writable mimic") {
    Sandbox sb;
    const auto expected = mimic_profile(sb);
    const std::string base = sb.path("base");
    const auto a = sb.apply_json(expected.layout);
    INFO(a.log);
    REQUIRE(a.status == 0);
    const auto& report = a.changes;
    REQUIRE(report.size() == 1);
    CHECK(report[0].outcome == "done");
    CHECK(report[0].synthesized.size() == 3);
    CHECK(sb.current() == expected.current);

    const auto mounts = sb.app_mounts();
    const auto tmpfs = mounts_at(mounts, base);
    REQUIRE(tmpfs.size() == 2);  // the read-only base, and the mimic on it
    const auto& mimic = tmpfs[1];
    CHECK(mimic.fstype == "tmpfs");
    CHECK(mimic.parent_id == tmpfs[0].id);
    for (const char* item : {"/conf", "/share"}) {
        const auto back = mounts_at(mounts, base + item);
        REQUIRE(back.size() == 1);
        CHECK(back[0].parent_id == mimic.id);
        CHECK(back[0].root == std::string("/base") + item);
    }
    const auto layout = mounts_at(mounts, base + "/newdir");
    REQUIRE(layout.size() == 1);
    CHECK(layout[0].parent_id == mimic.id);
    CHECK(layout[0].root == "/var/snap/foo/common");

    // The application sees the original content, and the new directory.
    CHECK(sb.app({"stat", "-c", "%a %u %g", base}).out == "751 0 0\n");
    CHECK(sb.app({"cat", base + "/conf"}).out == "base conf");
    CHECK(sb.app({"cat", base + "/share/doc"}).out == "base doc");
    CHECK(sb.app({"readlink", base + "/link"}).out == "share\n");
    CHECK(sb.app({"ls", base}).out == "conf\nlink\nnewdir\nshare\n");
    // The read-only directory itself was never written to.
    CHECK_FALSE(sb.exists("base/newdir"));
    CHECK(mounts_at(sb.outer_mounts(), base).size() == 1);
}

TEST_CASE("removing the layout takes its mimic down again") {
    Sandbox sb;
    const auto expected = mimic_profile(sb);
    const std::string base = sb.path("base");
    const auto before = mounts_at(sb.app_mounts(), base);
    sb.set_desired(expected.layout);
    REQUIRE(sb.apply().status == 0);
    REQUIRE(sb.current() == expected.current);

    const auto a = sb.apply_json("");
    INFO(a.log);
    REQUIRE(a.status == 0);
    const auto& report = a.changes;
    CHECK(report.size() == 4);
    for (const auto& c : report) {
        CAPTURE(c.entry);
        CHECK(c.action == "unmount");
        CHECK(c.outcome == "done");
    }
    CHECK(sb.current() == "");
    const auto mounts = sb.app_mounts();
    CHECK(mounts_at(mounts, base) == before);
    for (const char* item : {"/conf", "/share", "/newdir"})
        CHECK(mounts_at(mounts, base + item).empty());
    CHECK(sb.app({"ls", base}).out == "conf\nlink\nshare\n");
}
