// The done criterion of `nsreconcile apply`: it works end to end on a
// namespace made with `unshare --mount=FILE --propagation slave true`, as
// snap-confine makes them. The sandbox makes every application namespace
// that way; this test checks that it really is a slave, applies a profile
// with content, layout and mimic entries, and re-runs it.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

// The value of the optional field NAME:VALUE of M ("" when absent).
std::string field(const nsr::mountinfo::Mount& m, const std::string& name) {
    for (const auto& f : m.optional_fields) {
        if (f.rfind(name + ":", 0) == 0)
            return f.substr(name.size() + 1);
    }
    return "";
}

}  // namespace

TEST_CASE("apply works end to end on a namespace made by unshare --propagation slave") {
    Sandbox sb;
    const auto outer_root = mounts_at(sb.outer_mounts(), sb.root());
    const auto app_root = mounts_at(sb.app_mounts(), sb.root());
    REQUIRE(outer_root.size() == 1);
    REQUIRE(app_root.size() == 1);
    // The application's scratch is a slave of the outer scratch's peer group.
    REQUIRE(field(outer_root[0], "shared") != "");
    REQUIRE(field(app_root[0], "master") == field(outer_root[0], "shared"));
    const auto outer_before = sb.outer_mounts();

    const std::string common = sb.path("var/snap/foo/common");
    const std::string snap = sb.path("snap/foo/1");
    const std::string content =
        sb.path("snap/provider/2/lib") + " " + common + "/lib none bind,ro 0 0";
    const std::string tree = sb.path("var/snap/provider/common/tree") + " " + snap +
                             "/tree none rbind,rw,x-snapd.origin=layout 0 0";
    const std::string link = "none " + snap +
                             "/tree-link none x-snapd.kind=symlink,x-snapd.symlink=" + snap +
                             "/tree,x-snapd.origin=layout 0 0";
    const auto a = sb.apply_json(fstab({content, tree, link}));
    INFO(a.log);
    REQUIRE(a.status == 0);
    // Mounts whose mount point exists go first, then the ones that need a
    // mimic, grouped by the directory to mimic (snapd's change.go): both
    // layouts share one mimic over the read-only snap, made for the first.
    const auto& report = a.changes;
    REQUIRE(report.size() == 3);
    CHECK(report[0].entry == link);
    CHECK(report[0].synthesized.size() == 2);
    CHECK(report[1].entry == tree);
    CHECK(report[2].entry == content);
    for (const auto& c : report) {
        CAPTURE(c.entry);
        CHECK(c.outcome == "done");
    }
    const std::string owner = "x-snapd.synthetic,x-snapd.needed-by=" + snap + "/tree-link";
    CHECK(sb.current() ==
          fstab({"tmpfs " + snap + " tmpfs " + owner + ",mode=0755,uid=0,gid=0 0 0",
                 snap + "/bin " + snap + "/bin none rbind," + owner + ",x-snapd.detach 0 0", link,
                 tree, content}));

    CHECK(sb.app({"cat", common + "/lib/marker"}).out == "provider 2");
    CHECK(sb.app({"cat", snap + "/tree/inner/deep"}).out == "deep");
    CHECK(sb.app({"cat", snap + "/tree-link/top"}).out == "top");
    CHECK(sb.app({"cat", snap + "/bin/app"}).out == "app");
    // Mounts in a slave do not propagate back to its master.
    CHECK(sb.outer_mounts() == outer_before);

    const auto saved = sb.current();
    const auto applied = sb.app_mountinfo();
    sb.check_rerun_finds_all_done(5, "keep");
    CHECK(sb.app_mountinfo() == applied);
    CHECK(sb.current() == saved);
}
