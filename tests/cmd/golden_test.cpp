#include "cmd/golden.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::cmd;
using namespace nsr::test;

namespace {

// A provider refresh, with a comment and a key after the expected block so
// that an update has something to keep on both sides.
const std::string kHead =
    "name: refresh\n"
    "# the provider went from revision 2 to 3\n"
    "mountinfo: |\n"
    "  1 0 8:1 / / ro,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "  20 1 7:2 / /snap/prov/2 ro,nodev,relatime shared:2 - squashfs /dev/loop2 ro\n"
    "  21 1 7:3 / /snap/prov/3 ro,nodev,relatime shared:3 - squashfs /dev/loop3 ro\n"
    "  22 1 7:1 / /snap/foo/1 ro,nodev,relatime shared:4 - squashfs /dev/loop1 ro\n"
    "  30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n"
    "current: |\n"
    "  /snap/prov/2/lib /snap/foo/1/data none bind,ro 0 0\n";
const std::string kWrongBlock =
    "expected:\n"
    "  # stale: written before the refresh\n"
    "  - {action: keep, entry: \"/snap/prov/2/lib /snap/foo/1/data none bind,ro 0 0\"}\n";
const std::string kTail =
    "\n"
    "# desired comes last in this file on purpose\n"
    "desired: |\n"
    "  /snap/prov/3/lib /snap/foo/1/data none bind,ro 0 0\n";
// Worked out by hand: a source change at the same mount point is one
// replace, and the old bind's unmount gains x-snapd.detach.
const std::string kRightBlock =
    "expected:\n"
    "  - {action: replace, entry: \"/snap/prov/3/lib /snap/foo/1/data none bind,ro 0 0\", "
    "replaces: \"/snap/prov/2/lib /snap/foo/1/data none bind,ro,x-snapd.detach 0 0\", needed: "
    "true}\n";

// `nsreconcile plan --scenario PATH` with ARGS (--check or --update).
nsr::test::Output plan_scenario(const std::string& path, const std::string& mode) {
    return nsr::test::run_binary({"plan", "--scenario", path, mode}, nsr::test::kMerged);
}

}  // namespace

TEST_CASE("update rewrites only the expected block, and the file then passes") {
    Scratch dir;
    const std::string path = dir / "refresh.yaml";
    write_file(path, kHead + kWrongBlock + kTail);
    CHECK_FALSE(scenario_mismatch(path).empty());

    CHECK(update_scenario(path));
    CHECK(read_file(path) == kHead + kRightBlock + kTail);
    CHECK(scenario_mismatch(path).empty());
    CHECK_FALSE(update_scenario(path));
    CHECK(read_file(path) == kHead + kRightBlock + kTail);
}

TEST_CASE("a fixture without an expected block fails, and update adds one") {
    Scratch dir;
    const std::string path = dir / "refresh.yaml";
    write_file(path, kHead + kTail);
    CHECK(scenario_mismatch(path).find("has no expected: block") != std::string::npos);
    CHECK(update_scenario(path));
    CHECK(read_file(path) == kHead + kTail + kRightBlock);
}

TEST_CASE("plan --check reports a diff and changes nothing; plan --update re-pins") {
    Scratch dir;
    const std::string path = dir / "refresh.yaml";
    write_file(path, kHead + kWrongBlock + kTail);

    const nsr::test::Output check = plan_scenario(path, "--check");
    INFO(check.out);
    CHECK(check.status == 1);
    CHECK(check.out.find(path + ": the plan differs from expected at change #1") !=
          std::string::npos);
    CHECK(check.out.find("- #1  keep     /snap/prov/2/lib /snap/foo/1/data none bind,ro 0 0") !=
          std::string::npos);
    CHECK(check.out.find("+ #1  replace  /snap/prov/3/lib /snap/foo/1/data none bind,ro 0 0") !=
          std::string::npos);
    CHECK(read_file(path) == kHead + kWrongBlock + kTail);

    const nsr::test::Output update = plan_scenario(path, "--update");
    INFO(update.out);
    CHECK(update.status == 0);
    CHECK(update.out == path + ": updated\n");
    CHECK(read_file(path) == kHead + kRightBlock + kTail);
    CHECK(plan_scenario(path, "--check").status == 0);
}

TEST_CASE("plan --check fails on a scenario without an expected block") {
    Scratch dir;
    const std::string path = dir / "refresh.yaml";
    write_file(path, kHead + kTail);
    const nsr::test::Output r = plan_scenario(path, "--check");
    INFO(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.find(path + ": has no expected: block") != std::string::npos);
    CHECK(read_file(path) == kHead + kTail);
}

TEST_CASE("plan --check exits 2 on a scenario it cannot load, naming the file") {
    Scratch dir;
    const std::string path = dir / "bad.yaml";
    write_file(path, "name: bad\nsurprise: 1\n");
    const nsr::test::Output r = plan_scenario(path, "--check");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find(path + ":2: unknown key 'surprise'") != std::string::npos);
}
