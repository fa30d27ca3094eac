// The pile (reconcile/pile.hpp): a refresh moves the old mounts onto a
// tmpfs at a hidden directory of the state directory and detaches them all
// with one unmount; a pile a killed run left is detached by the next run;
// where the state directory's mount is shared, each old mount is detached
// on its own.
#include <doctest/doctest.h>

#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

constexpr int kEntries = 3;

// The pile's mount point for the sandbox's current profile.
std::string pile_point(const Sandbox& sb) {
    return sb.path("state/.current.fstab.pile");
}

// Binds of provider REVISION's lib, one per mount point.
std::vector<std::string> binds(const Sandbox& sb, int revision) {
    std::vector<std::string> lines;
    for (int i = 0; i < kEntries; ++i) {
        lines.push_back(sb.path("snap/provider/" + std::to_string(revision) + "/lib") + " " +
                        sb.path("var/snap/foo/common/m" + std::to_string(i)) + " none bind,ro 0 0");
    }
    return lines;
}

void setup(const Sandbox& sb) {
    for (int i = 0; i < kEntries; ++i)
        REQUIRE(
            sb.app({"mkdir", "-p", sb.path("var/snap/foo/common/m" + std::to_string(i))}).status ==
            0);
    sb.set_desired(fstab(binds(sb, 1)));
    const Output o = sb.apply();
    INFO(o.out << o.err);
    REQUIRE(o.status == 0);
}

// The refresh to revision 2, traced: how many umount2 calls unmounted
// something.
int refresh_counting_unmounts(const Sandbox& sb) {
    sb.set_desired(fstab(binds(sb, 2)));
    const std::string log = sb.path("state/trace.log");
    const Output o = sb.apply_traced({"-e", "trace=umount2", "-o", log}, {"--debug"});
    INFO(o.out << o.err);
    REQUIRE(o.status == 0);
    const auto text = sb.read_file("state/trace.log");
    REQUIRE(text);
    int unmounts = 0;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("umount2(") && line.ends_with("= 0"))
            ++unmounts;
    }
    return unmounts;
}

// Every mount point shows revision 2, alone, and nothing is mounted at or
// below the pile's mount point, which is gone.
void check_refreshed(const Sandbox& sb) {
    const auto mounts = sb.app_mounts();
    for (int i = 0; i < kEntries; ++i) {
        const std::string dir = sb.path("var/snap/foo/common/m" + std::to_string(i));
        const auto at = mounts_at(mounts, dir);
        REQUIRE(at.size() == 1);
        CHECK(at[0].root == "/snap/provider/2/lib");
        CHECK(sb.app({"cat", dir + "/marker"}).out == "provider 2");
    }
    for (const auto& m : mounts)
        CHECK_MESSAGE(m.mount_point.find("/state") == std::string::npos, m.mount_point);
    CHECK(sb.app({"test", "-e", pile_point(sb)}).status != 0);
    CHECK(sb.check().status == 0);
}

}  // namespace

TEST_CASE("a refresh piles the old mounts and unmounts once") {
    Sandbox sb;
    setup(sb);
    CHECK(refresh_counting_unmounts(sb) == 1);
    check_refreshed(sb);
}

TEST_CASE("where the state directory's mount is shared, each old mount is detached on its own") {
    Sandbox sb;
    setup(sb);
    const std::string state = sb.path("state");
    REQUIRE(sb.app_sh("mount --bind " + state + " " + state + " && mount --make-shared " + state)
                .status == 0);
    CHECK(refresh_counting_unmounts(sb) == kEntries);
    const auto mounts = sb.app_mounts();
    CHECK(mounts_at(mounts, state).size() == 1);
    CHECK(mounts_at(mounts, pile_point(sb)).empty());
    for (int i = 0; i < kEntries; ++i) {
        const std::string dir = sb.path("var/snap/foo/common/m" + std::to_string(i));
        CHECK(sb.app({"cat", dir + "/marker"}).out == "provider 2");
        CHECK(mounts_at(mounts, dir).size() == 1);
    }
}

TEST_CASE("a pile left by a killed run is detached by the next run") {
    Sandbox sb;
    setup(sb);
    sb.set_desired(fstab(binds(sb, 2)));
    // move_mount: tuck #1, the pile's attach, pile #1, tuck #2, pile #2.
    const Output killed =
        sb.apply_traced({"-o", "/dev/null", "-e", "inject=move_mount:signal=KILL:when=5"});
    REQUIRE(killed.status == 128 + SIGKILL);
    const auto left = sb.app_mounts();
    REQUIRE(mounts_at(left, pile_point(sb)).size() == 1);
    // check does not count the pile as drift: what it reports is the
    // interrupted refresh, not the pile.
    const Output c = sb.check();
    CHECK(c.out.find(".pile") == std::string::npos);

    const Output again = sb.apply({"--debug"});
    INFO(again.out << again.err);
    REQUIRE(again.status == 0);
    CHECK(again.err.find("detached the pile of replaced mounts that a killed run left") !=
          std::string::npos);
    check_refreshed(sb);
}
