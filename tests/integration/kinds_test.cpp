// Each kind of profile entry, applied by the real binary to a real
// namespace: what the kernel then has mounted, what the application sees,
// and what the saved current profile says.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

// Applies DESIRED to a fresh namespace: every change must be done, and the
// current profile must then record exactly the desired entries (they are
// written in the order the plan applies them).
void apply_all(const Sandbox& sb, const std::string& desired) {
    const auto a = sb.apply_json(desired);
    INFO(a.log);
    REQUIRE(a.status == 0);
    const auto& report = a.changes;
    CHECK(report.size() == static_cast<size_t>(std::count(desired.begin(), desired.end(), '\n')));
    for (const auto& c : report) {
        CAPTURE(c.entry);
        CHECK(c.outcome == "done");
    }
    CHECK(sb.current() == desired);
}

// The scratch tmpfs every bind in the sandbox comes from.
dev_t scratch_dev(const Sandbox& sb) {
    const auto at = mounts_at(sb.app_mounts(), sb.root());
    REQUIRE(at.size() == 1);
    return at[0].dev();
}

}  // namespace

TEST_CASE("a bind entry mounts the source directory, without its submounts") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/bind");
    apply_all(sb,
              fstab({sb.path("var/snap/provider/common/tree") + " " + target + " none bind 0 0"}));
    const auto mounts = sb.app_mounts();
    const auto at = mounts_at(mounts, target);
    REQUIRE(at.size() == 1);
    CHECK(at[0].dev() == scratch_dev(sb));
    CHECK(at[0].root == "/var/snap/provider/common/tree");
    CHECK_FALSE(at[0].read_only());
    CHECK(mounts_at(mounts, target + "/inner").empty());
    CHECK(sb.app({"cat", target + "/top"}).out == "top");
    CHECK(sb.app_sh("echo new > " + target + "/new").status == 0);
    CHECK(sb.read_file("var/snap/provider/common/tree/new") == "new\n");
    // The mount lives in the application's namespace only.
    CHECK(mounts_at(sb.outer_mounts(), target).empty());
}

TEST_CASE("a bind,ro entry mounts the source read-only") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/ro");
    apply_all(
        sb, fstab({sb.path("var/snap/provider/common/tree") + " " + target + " none bind,ro 0 0"}));
    const auto at = mounts_at(sb.app_mounts(), target);
    REQUIRE(at.size() == 1);
    CHECK(at[0].root == "/var/snap/provider/common/tree");
    CHECK(at[0].read_only());
    const Output touch = sb.app({"touch", target + "/new"});
    CHECK(touch.status != 0);
    CHECK(touch.err.find("Read-only file system") != std::string::npos);
    CHECK_FALSE(sb.exists("var/snap/provider/common/tree/new"));
}

TEST_CASE("an rbind entry mounts the source with its submounts") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/rtree");
    apply_all(sb, fstab({sb.path("var/snap/provider/common/tree") + " " + target +
                         " none rbind,rw 0 0"}));
    const auto mounts = sb.app_mounts();
    const auto top = mounts_at(mounts, target);
    REQUIRE(top.size() == 1);
    CHECK(top[0].root == "/var/snap/provider/common/tree");
    const auto inner = mounts_at(mounts, target + "/inner");
    REQUIRE(inner.size() == 1);
    CHECK(inner[0].fstype == "tmpfs");
    CHECK(inner[0].parent_id == top[0].id);
    CHECK(sb.app({"cat", target + "/inner/deep"}).out == "deep");
}

// Where the source of an rbind is a shared mount, the rbind's mounts are
// peers of the source's, and the kernel propagates an unmount through the
// parent's peers: detached as it is, the rbind would take the source's own
// submounts along (docs/kernel-facts.md). Each detach makes its tree
// private first.
TEST_CASE("removing an rbind of a shared tree leaves the source's submounts in place") {
    Sandbox sb;
    const std::string tree = sb.path("var/snap/provider/common/tree");
    // tree becomes a shared mount of its own, its tmpfs at inner included
    // (the original stays beneath the copy).
    REQUIRE(sb.app_sh("mount --rbind " + tree + " " + tree + " && mount --make-rshared " + tree)
                .status == 0);
    const size_t inner_mounts = mounts_at(sb.app_mounts(), tree + "/inner").size();
    REQUIRE(inner_mounts == 2);
    const std::string target = sb.path("var/snap/foo/common/rtree");
    apply_all(sb, fstab({tree + " " + target + " none rbind,rw 0 0"}));
    REQUIRE(mounts_at(sb.app_mounts(), target + "/inner").size() == 1);

    const auto a = sb.apply_json(std::string());
    INFO(a.log);
    REQUIRE(a.status == 0);
    const auto mounts = sb.app_mounts();
    CHECK(mounts_at(mounts, target).empty());
    CHECK(mounts_at(mounts, target + "/inner").empty());
    CHECK(mounts_at(mounts, tree + "/inner").size() == inner_mounts);
    CHECK(sb.app({"cat", tree + "/inner/deep"}).out == "deep");
}

TEST_CASE("a file bind entry creates a placeholder file and mounts the file on it") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/etc/foo.conf");
    apply_all(sb, fstab({sb.path("snap/provider/2/etc/foo.conf") + " " + target +
                         " none bind,ro,x-snapd.kind=file 0 0"}));
    const auto at = mounts_at(sb.app_mounts(), target);
    REQUIRE(at.size() == 1);
    CHECK(at[0].root == "/snap/provider/2/etc/foo.conf");
    CHECK(at[0].read_only());
    CHECK(sb.app({"cat", target}).out == "foo.conf of provider 2");
    CHECK(sb.app({"stat", "-c", "%F", target}).out == "regular file\n");
}

TEST_CASE("a tmpfs entry mounts a tmpfs with its mode, and x-snapd.mode/uid/gid set its own dir") {
    Sandbox sb;
    const std::string rel = "var/snap/foo/common/made/on/the/way/tmp";
    const std::string target = sb.path(rel);
    apply_all(sb,
              fstab({"tmpfs " + target +
                     " tmpfs x-snapd.mode=0750,x-snapd.uid=1000,x-snapd.gid=1001,mode=0700 0 0"}));
    const auto at = mounts_at(sb.app_mounts(), target);
    REQUIRE(at.size() == 1);
    CHECK(at[0].fstype == "tmpfs");
    CHECK(at[0].source == "tmpfs");
    CHECK(sb.app({"stat", "-c", "%a", target}).out == "700\n");
    // The directories made on the way belong to root, mode 0755: the app
    // user must not own a directory above a later mount point. Outside the
    // application namespace the mount point is not covered by the tmpfs.
    for (const char* way : {"made", "made/on", "made/on/the", "made/on/the/way"}) {
        CAPTURE(way);
        CHECK(sb.outer({"stat", "-c", "%a %u:%g", sb.path("var/snap/foo/common/") + way}).out ==
              "755 0:0\n");
    }
    CHECK(sb.outer({"stat", "-c", "%a %u:%g", target}).out == "750 1000:1001\n");
}

TEST_CASE("a symlink entry creates the symlink and mounts nothing") {
    Sandbox sb;
    const std::string link = sb.path("var/snap/foo/common/bin/link");
    const std::string target = sb.path("snap/provider/2/lib");
    const auto before = sb.app_mountinfo();
    apply_all(sb, fstab({"none " + link + " none x-snapd.kind=symlink,x-snapd.symlink=" + target +
                         " 0 0"}));
    CHECK(sb.app({"readlink", link}).out == target + "\n");
    CHECK(sb.app({"cat", link + "/marker"}).out == "provider 2");
    CHECK(sb.app_mountinfo() == before);
}

TEST_CASE("an ensure-dir entry creates the missing directories, mode 0700, and mounts nothing") {
    Sandbox sb;
    const std::string base = sb.path("var/snap/foo/common");
    const auto before = sb.app_mountinfo();
    apply_all(sb,
              fstab({"none " + base +
                     "/a/b none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=" + base + " 0 0"}));
    CHECK(sb.app({"stat", "-c", "%F %a %u", base + "/a"}).out == "directory 700 0\n");
    CHECK(sb.app({"stat", "-c", "%F %a %u", base + "/a/b"}).out == "directory 700 0\n");
    CHECK(sb.app_mountinfo() == before);
}

TEST_CASE("layout entries of every kind are applied like the others") {
    Sandbox sb;
    const std::string dir = sb.path("var/snap/foo/common/layout-");
    apply_all(sb, fstab({sb.path("var/snap/provider/common/tree") + " " + dir +
                             "a none rbind,rw,x-snapd.origin=layout 0 0",
                         "none " + dir + "b none x-snapd.kind=symlink,x-snapd.symlink=" +
                             sb.path("base/conf") + ",x-snapd.origin=layout 0 0",
                         "tmpfs " + dir + "c tmpfs x-snapd.mode=01777,x-snapd.origin=layout 0 0"}));
    const auto mounts = sb.app_mounts();
    const auto a = mounts_at(mounts, dir + "a");
    REQUIRE(a.size() == 1);
    CHECK(a[0].root == "/var/snap/provider/common/tree");
    CHECK(mounts_at(mounts, dir + "a/inner").size() == 1);
    CHECK(sb.app({"cat", dir + "b"}).out == "base conf");
    const auto c = mounts_at(mounts, dir + "c");
    REQUIRE(c.size() == 1);
    CHECK(c[0].fstype == "tmpfs");
}
