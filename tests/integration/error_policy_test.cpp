// snapd's error policy (snapd's update.go and change.go), on real mounts: a failing content
// entry is reported and the run goes on; a failing layout entry stops the
// run; x-snapd.ignore-missing skips an entry whose source is missing.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

TEST_CASE("a failing content entry is reported, the others are applied, exit 1") {
    Sandbox sb;
    const std::string common = sb.path("var/snap/foo/common");
    // A regular file cannot be the source of a directory bind.
    const std::string bad =
        sb.path("snap/provider/2/etc/foo.conf") + " " + common + "/a none bind 0 0";
    const std::string good = sb.path("snap/provider/2/lib") + " " + common + "/b none bind,ro 0 0";
    const auto a = sb.apply_json(fstab({bad, good}));
    INFO(a.log);
    CHECK(a.status == 1);
    const auto& report = a.changes;
    REQUIRE(report.size() == 2);
    CHECK(report[0].entry == bad);
    CHECK(report[0].outcome == "failed");
    CHECK(report[0].detail.find(sb.path("snap/provider/2/etc/foo.conf")) != std::string::npos);
    CHECK(report[0].detail.find("not a directory") != std::string::npos);
    CHECK(report[1].entry == good);
    CHECK(report[1].outcome == "done");

    const auto mounts = sb.app_mounts();
    CHECK(mounts_at(mounts, common + "/a").empty());
    REQUIRE(mounts_at(mounts, common + "/b").size() == 1);
    CHECK(sb.app({"cat", common + "/b/marker"}).out == "provider 2");
    CHECK(sb.current() == fstab({good}));
}

TEST_CASE("a failing layout entry stops the run and the profile records what is in place") {
    Sandbox sb;
    const std::string common = sb.path("var/snap/foo/common");
    const std::string content =
        sb.path("snap/provider/2/lib") + " " + common + "/content none bind 0 0";
    const std::string bad = sb.path("snap/provider/2/etc/foo.conf") + " " + common +
                            "/layout-1 none rbind,rw,x-snapd.origin=layout 0 0";
    const std::string after = sb.path("snap/provider/2/lib") + " " + common +
                              "/layout-2 none rbind,rw,x-snapd.origin=layout 0 0";
    sb.set_desired(fstab({content, bad, after}));
    const Output o = sb.apply({"--json"});
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    CHECK(o.status == 1);
    // The run's error, once, on stderr.
    CHECK(o.err.find("not a directory") != std::string::npos);
    CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
    const auto report = parse_report(o.out);
    REQUIRE(report.size() == 2);
    CHECK(report[0].entry == content);
    CHECK(report[0].outcome == "done");
    CHECK(report[1].entry == bad);
    CHECK(report[1].outcome == "failed");

    const auto mounts = sb.app_mounts();
    CHECK(mounts_at(mounts, common + "/content").size() == 1);
    CHECK(mounts_at(mounts, common + "/layout-1").empty());
    CHECK(mounts_at(mounts, common + "/layout-2").empty());
    CHECK_FALSE(sb.exists("var/snap/foo/common/layout-2"));
    CHECK(sb.current() == fstab({content}));
}

TEST_CASE("x-snapd.ignore-missing skips an entry whose source is missing") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/doc");
    const std::string entry = sb.path("var/snap/provider/common/missing") + " " + target +
                              " none bind,rw,x-snapd.ignore-missing 0 0";
    const auto before = sb.app_mountinfo();
    const auto a = sb.apply_json(fstab({entry}));
    INFO(a.log);
    CHECK(a.status == 0);
    const auto& report = a.changes;
    REQUIRE(report.size() == 1);
    CHECK(report[0].outcome == "skipped");
    CHECK(sb.app_mountinfo() == before);
    CHECK_FALSE(sb.exists("var/snap/provider/common/missing"));
    CHECK_FALSE(sb.exists("var/snap/foo/common/doc"));
    CHECK(sb.current() == "");
}
