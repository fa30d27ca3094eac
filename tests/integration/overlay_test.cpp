// Overlay entries applied by the real binary: the layers are opened with
// the symlink-refusing walk and handed to the kernel by fd, so the
// application's mount table shows one lowerdir+= per layer; what the
// application reads, where its writes go, and that a re-run finds every
// overlay in place.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;
using Strings = std::vector<std::string>;

namespace {

// R/var/snap/foo/common/REL for each REL, made from the sandbox's side.
void make_dirs(const Sandbox& sb, const Strings& rels) {
    for (const auto& rel : rels) {
        const Output o = sb.outer({"mkdir", "-p", sb.path("var/snap/foo/common/" + rel)});
        REQUIRE_MESSAGE(o.status == 0, o.err);
    }
}

std::string common(const Sandbox& sb, const std::string& rel) {
    return sb.path("var/snap/foo/common/" + rel);
}

// Applies the one-entry profile LINE: exit 0, the entry done.
void apply_one(const Sandbox& sb, const std::string& line) {
    sb.set_desired(fstab({line}));
    const Output o = sb.apply({"--json"});
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    REQUIRE(o.status == 0);
    const auto report = parse_report(o.out);
    REQUIRE(report.size() == 1);
    CHECK(report[0].outcome == "done");
    CHECK(sb.current() == fstab({line}));
}

// A second apply of the same profile finds the overlay in place.
void rerun_finds_it_in_place(const Sandbox& sb) {
    const Output o = sb.apply({"--json"});
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    REQUIRE(o.status == 0);
    const auto report = parse_report(o.out);
    REQUIRE(report.size() == 1);
    CHECK(report[0].outcome == "already done");
}

// The super options of the one mount at DIR, with R written as "R".
std::string super_options_at(const Sandbox& sb, const std::string& dir) {
    const auto at = mounts_at(sb.app_mounts(), dir);
    REQUIRE(at.size() == 1);
    CHECK(at[0].fstype == "overlay");
    CHECK(at[0].source == "overlay");
    std::string s = at[0].super_options;
    for (size_t pos; (pos = s.find(sb.root())) != std::string::npos;)
        s.replace(pos, sb.root().size(), "R");
    return s;
}

}  // namespace

TEST_CASE("three lower layers and an upper, given by fd") {
    Sandbox sb;
    make_dirs(sb, {"l1", "l2", "l3", "upper", "work", "merged"});
    sb.write_file("var/snap/foo/common/l1/top", "from l1");
    sb.write_file("var/snap/foo/common/l2/top", "from l2");
    sb.write_file("var/snap/foo/common/l2/mid", "from l2");
    sb.write_file("var/snap/foo/common/l3/mid", "from l3");
    sb.write_file("var/snap/foo/common/l3/bottom", "from l3");
    const std::string merged = common(sb, "merged");
    apply_one(sb, "overlay " + merged + " overlay lowerdir=" + common(sb, "l1") + ":" +
                      common(sb, "l2") + ":" + common(sb, "l3") + ",upperdir=" +
                      common(sb, "upper") + ",workdir=" + common(sb, "work") + " 0 0");
    CHECK(super_options_at(sb, merged) ==
          "rw,lowerdir+=R/var/snap/foo/common/l1,lowerdir+=R/var/snap/foo/common/l2,"
          "lowerdir+=R/var/snap/foo/common/l3,upperdir=R/var/snap/foo/common/upper,"
          "workdir=R/var/snap/foo/common/work,uuid=on");
    CHECK(sb.app({"cat", merged + "/top"}).out == "from l1");
    CHECK(sb.app({"cat", merged + "/mid"}).out == "from l2");
    CHECK(sb.app({"cat", merged + "/bottom"}).out == "from l3");
    CHECK(sb.app_sh("echo written > " + merged + "/new").status == 0);
    CHECK(sb.read_file("var/snap/foo/common/upper/new") == "written\n");
    CHECK_FALSE(sb.exists("var/snap/foo/common/l1/new"));
    rerun_finds_it_in_place(sb);
}

TEST_CASE("two lower layers and no upper: a read-only overlay") {
    Sandbox sb;
    make_dirs(sb, {"a", "b", "merged"});
    sb.write_file("var/snap/foo/common/b/f", "b");
    const std::string merged = common(sb, "merged");
    apply_one(sb, "overlay " + merged + " overlay lowerdir+=" + common(sb, "a") +
                      ",lowerdir+=" + common(sb, "b") + " 0 0");
    CHECK(super_options_at(sb, merged) ==
          "ro,lowerdir+=R/var/snap/foo/common/a,lowerdir+=R/var/snap/foo/common/b,"
          "redirect_dir=on");
    CHECK(sb.app({"cat", merged + "/f"}).out == "b");
    const Output touch = sb.app({"touch", merged + "/new"});
    CHECK(touch.status != 0);
    CHECK(touch.err.find("Read-only file system") != std::string::npos);
    rerun_finds_it_in_place(sb);
}

TEST_CASE("data-only layers") {
    Sandbox sb;
    make_dirs(sb, {"a", "data1", "data2", "merged"});
    sb.write_file("var/snap/foo/common/a/f", "a");
    const std::string merged = common(sb, "merged");
    apply_one(sb, "overlay " + merged + " overlay lowerdir=" + common(sb, "a") +
                      "::" + common(sb, "data1") + ":" + common(sb, "data2") + " 0 0");
    CHECK(super_options_at(sb, merged) ==
          "ro,lowerdir+=R/var/snap/foo/common/a,datadir+=R/var/snap/foo/common/data1,"
          "datadir+=R/var/snap/foo/common/data2,redirect_dir=on");
    CHECK(sb.app({"cat", merged + "/f"}).out == "a");
    rerun_finds_it_in_place(sb);
}

TEST_CASE("layer paths with a colon and a comma, written \\072 and \\054") {
    Sandbox sb;
    make_dirs(sb, {"co:lon", "com,ma", "up,per", "wo:rk", "merged"});
    sb.write_file("var/snap/foo/common/co:lon/c", "colon");
    sb.write_file("var/snap/foo/common/com,ma/m", "comma");
    const std::string merged = common(sb, "merged");
    apply_one(sb, "overlay " + merged + " overlay lowerdir=" + common(sb, "co\\072lon") + ":" +
                      common(sb, "com\\054ma") + ",upperdir=" + common(sb, "up\\054per") +
                      ",workdir=" + common(sb, "wo\\072rk") + " 0 0");
    // The kernel writes a ',' in a path as \054; a ':' needs nothing when
    // the layer came by fd.
    CHECK(super_options_at(sb, merged) ==
          "rw,lowerdir+=R/var/snap/foo/common/co:lon,lowerdir+=R/var/snap/foo/common/com\\054ma,"
          "upperdir=R/var/snap/foo/common/up\\054per,workdir=R/var/snap/foo/common/wo:rk,uuid=on");
    CHECK(sb.app({"cat", merged + "/c"}).out == "colon");
    CHECK(sb.app({"cat", merged + "/m"}).out == "comma");
    CHECK(sb.app_sh("echo w > " + merged + "/w").status == 0);
    CHECK(sb.read_file("var/snap/foo/common/up,per/w") == "w\n");
    rerun_finds_it_in_place(sb);
}

TEST_CASE("a symlink in a layer's path is refused and nothing is mounted") {
    Sandbox sb;
    make_dirs(sb, {"real/l2", "l1", "upper", "work", "merged"});
    sb.write_file("var/snap/foo/common/real/l2/f", "through the link");
    REQUIRE(sb.app({"ln", "-s", common(sb, "real"), common(sb, "link")}).status == 0);
    const std::string merged = common(sb, "merged");
    const auto before = sb.app_mountinfo();
    for (const std::string& where : {std::string("lowerdir="), std::string("upperdir=")}) {
        CAPTURE(where);
        const std::string layers =
            where == "lowerdir="
                ? "lowerdir=" + common(sb, "l1") + ":" + common(sb, "link/l2") +
                      ",upperdir=" + common(sb, "upper") + ",workdir=" + common(sb, "work")
                : "lowerdir=" + common(sb, "l1") + ",upperdir=" + common(sb, "link/l2") +
                      ",workdir=" + common(sb, "work");
        sb.set_desired(fstab({"overlay " + merged + " overlay " + layers + " 0 0"}));
        const Output o = sb.apply({"--json"});
        INFO("stdout: " << o.out << "\nstderr: " << o.err);
        CHECK(o.status == 1);
        const auto report = parse_report(o.out);
        REQUIRE(report.size() == 1);
        CHECK(report[0].outcome == "failed");
        const std::string what = where == "lowerdir=" ? "lower layer 2" : "upperdir";
        CHECK(report[0].detail == "overlay at \"" + merged + "\": cannot open " + what + " \"" +
                                      common(sb, "link/l2") + "\": \"" + common(sb, "link") +
                                      "\" is a symbolic link: Too many levels of symbolic links");
        CHECK(sb.app_mountinfo() == before);
        CHECK(sb.current() == "");
    }
}
