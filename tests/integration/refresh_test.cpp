// A provider refresh changes only the source of a bind: the new mount is
// attached beneath the old one, which then goes, so a reader in the
// application never finds the mount point empty, and one mount is left.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

TEST_CASE("a refresh replaces the mount with no empty window and no stacked mount") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/lib");
    const std::string v1 = sb.path("snap/provider/1/lib") + " " + target + " none bind,ro 0 0";
    const std::string v2 = sb.path("snap/provider/2/lib") + " " + target + " none bind,ro 0 0";
    sb.set_desired(fstab({v1}));
    REQUIRE(sb.apply().status == 0);
    REQUIRE(sb.app({"cat", target + "/marker"}).out == "provider 1");

    // A reader in the application looks for the marker (both revisions have
    // one) until told to stop, and counts the times it found and missed it.
    // It says it started only after its first look, so that on a loaded
    // machine the refresh cannot be over before it looked at all.
    const std::string started = sb.path("state/reader-started");
    const std::string stop = sb.path("state/reader-stop");
    Process reader({"/bin/sh", "-c",
                    "found=0; missed=0; [ -e " + target + "/marker ] && found=1; touch " + started +
                        "; while [ ! -e " + stop + " ]; do if [ -e " + target +
                        "/marker ]; then found=$((found+1)); " +
                        "else missed=$((missed+1)); fi; done; echo $found $missed"},
                   {.ns_file = sb.app_ns()});
    for (int i = 0; i < 5000 && !sb.exists("state/reader-started"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(sb.exists("state/reader-started"));

    sb.set_desired(fstab({v2}));
    const Output o = sb.apply({"--json"});
    sb.write_file("state/reader-stop", "");
    const Output probe = reader.wait();
    INFO("stdout: " << o.out << "\nstderr: " << o.err << "\nreader: " << probe.out << probe.err);
    REQUIRE(o.status == 0);
    const auto report = parse_report(o.out);
    REQUIRE(report.size() == 1);
    CHECK(report[0].action == "replace");
    CHECK(report[0].outcome == "done");

    REQUIRE(probe.status == 0);
    unsigned long found = 0;
    unsigned long missed = 1;
    REQUIRE(std::sscanf(probe.out.c_str(), "%lu %lu", &found, &missed) == 2);
    CHECK(found > 0);
    CHECK(missed == 0);

    const auto at = mounts_at(sb.app_mounts(), target);
    REQUIRE(at.size() == 1);
    CHECK(at[0].root == "/snap/provider/2/lib");
    CHECK(at[0].read_only());
    CHECK(sb.app({"cat", target + "/marker"}).out == "provider 2");
    CHECK(sb.current() == fstab({v2}));
}
