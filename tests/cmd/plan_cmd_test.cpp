// `nsreconcile plan --scenario` as a user runs it: the real binary, and as
// an unprivileged user, since planning a scenario must need no root.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

using nsr::test::kMerged;
using nsr::test::Output;
using nsr::test::run_binary;
using nsr::test::run_shell;

namespace {

const std::string kAsNobody = "setpriv --reuid=65534 --regid=65534 --clear-groups -- ";

}  // namespace

TEST_CASE("plan --scenario runs as an unprivileged user (needs root to switch to nobody)") {
    REQUIRE_MESSAGE(geteuid() == 0,
                    "needs root: the test drops to uid 65534 with setpriv; run it as root");
    // The binary and the scenario are copied where nobody may read them, so
    // the check does not depend on the permissions of the build tree.
    nsr::test::Scratch dir;
    REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
    const std::string binary = dir / "nsreconcile";
    const std::string scenario = dir / "provider-refresh.yaml";
    std::filesystem::copy_file(NSR_BINARY, binary);
    std::filesystem::copy_file(std::string(NSR_SOURCE_DIR) + "/fixtures/plan/provider-refresh.yaml",
                               scenario);
    REQUIRE(::chmod(binary.c_str(), 0755) == 0);
    REQUIRE(::chmod(scenario.c_str(), 0644) == 0);

    const Output who = run_shell(kAsNobody + "id -u", kMerged);
    REQUIRE_MESSAGE(who.status == 0, who.out);
    REQUIRE(who.out == "65534\n");

    const Output plan = run_shell(kAsNobody + binary + " plan --scenario " + scenario, kMerged);
    INFO(plan.out);
    CHECK(plan.status == 0);
    // The refresh moves the bind to the new revision's /lib, which the
    // scenario's table shows is not mounted yet: one replace, needed.
    CHECK(plan.out ==
          "~ /snap/prov/3/lib -> /snap/foo/1/data (was /snap/prov/2/lib)\n"
          "1 to replace, 0 unchanged\n");

    const Output snapd =
        run_shell(kAsNobody + binary + " plan --no-tuck --scenario " + scenario, kMerged);
    INFO(snapd.out);
    CHECK(snapd.status == 0);
    CHECK(snapd.out ==
          "- /snap/prov/2/lib -> /snap/foo/1/data (bind, ro)\n"
          "+ /snap/prov/3/lib -> /snap/foo/1/data (bind, ro)\n"
          "1 to mount, 1 to unmount, 0 unchanged\n");
}

TEST_CASE("plan names an unreadable scenario and exits 2") {
    const Output r = run_binary({"plan", "--scenario", "/nonexistent/scenario.yaml"}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out.find("/nonexistent/scenario.yaml: cannot read") != std::string::npos);
}

TEST_CASE("plan --scenario --json refuses a scenario that is not UTF-8 with exit 2 and its line") {
    nsr::test::Scratch dir;
    const std::string scenario = dir / "latin1.yaml";
    nsr::test::write_file(scenario,
                          "name: latin1\n"
                          "desired: |\n"
                          "  /snap/p/1/lib /snap/foo/1/caf\xE9 none bind,ro 0 0\n");
    for (const char* format : {"--json", "--no-tuck"}) {
        const Output r = run_binary({"plan", "--scenario", scenario, format}, kMerged);
        INFO(format << ": " << r.out);
        CHECK(r.status == 2);
        CHECK(r.out == "nsreconcile: " + scenario + ":3: not UTF-8 text (YAML files must be)\n");
    }
}

TEST_CASE("plan colours its markers on a terminal, and never with NO_COLOR") {
    // script(1) (util-linux) runs the binary on a pseudo-terminal.
    const std::string plan = std::string(NSR_BINARY) + " plan --scenario " + NSR_SOURCE_DIR +
                             "/fixtures/plan/provider-refresh.yaml";
    const Output tty = run_shell("TERM=xterm script -qec '" + plan + "' /dev/null");
    INFO(tty.out);
    REQUIRE(tty.status == 0);
    CHECK(tty.out.rfind("\033[33m~\033[0m /snap/prov/3/lib -> /snap/foo/1/data", 0) == 0);
    const Output no_colour =
        run_shell("TERM=xterm NO_COLOR=1 script -qec '" + plan + "' /dev/null");
    INFO(no_colour.out);
    CHECK(no_colour.out.rfind("~ /snap/prov/3/lib -> /snap/foo/1/data", 0) == 0);
    CHECK(no_colour.out.find('\033') == std::string::npos);
    // Not a terminal: no colour either (the other tests read it plain).
    CHECK(run_binary({"plan", "--scenario",
                      std::string(NSR_SOURCE_DIR) + "/fixtures/plan/provider-refresh.yaml"})
              .out.find('\033') == std::string::npos);
}

TEST_CASE("plan --scenario names the file and line of a key that is not a plain word") {
    // Found by scenario_fuzz: yaml-cpp's "bad conversion" escaped without
    // the file's name.
    nsr::test::Scratch dir;
    const std::string scenario = dir / "complex-key.yaml";
    const auto plan_of = [&](const std::string& text) {
        nsr::test::write_file(
            scenario, "name: complex\nfs:\n  ? [dirs, files]\n  : [/snap/foo/1/lib]\n" + text);
        return run_binary({"plan", "--scenario", scenario}, kMerged);
    };
    const Output r = plan_of("? dirs: [/snap/foo/1/lib]\n");
    CHECK(r.status == 2);
    CHECK(r.out == "nsreconcile: " + scenario + ":5: a key in the scenario must be a plain word\n");
    const Output in_fs = plan_of("");
    CHECK(in_fs.status == 2);
    CHECK(in_fs.out == "nsreconcile: " + scenario + ":3: a key in fs must be a plain word\n");
}
