// What a run killed half way, or a lost current profile, used to leave
// behind (each was reproduced before the journal, reconcile/journal.hpp):
// the kill is forced at an exact system call with strace's injection
// (Sandbox::apply_traced), the way tests/crash/ does for every call.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

constexpr int kKilled = 128 + 9;

void apply_ok(const Sandbox& sb, const std::string& desired) {
    sb.set_desired(desired);
    const Output o = sb.apply();
    INFO(o.out << o.err);
    REQUIRE(o.status == 0);
}

// Kills apply of DESIRED at the K-th call of SYSCALL.
void apply_killed(const Sandbox& sb, const std::string& desired, const std::string& syscall,
                  unsigned k) {
    sb.set_desired(desired);
    const Output o = sb.apply_traced(
        {"-o", "/dev/null", "-e", "inject=" + syscall + ":signal=KILL:when=" + std::to_string(k)});
    INFO(o.out << o.err);
    REQUIRE(o.status == kKilled);
}

size_t count_at(const Sandbox& sb, const std::string& dir) {
    return mounts_at(sb.app_mounts(), dir).size();
}

// The mounts of the application at or below the sandbox's root, as
// mountinfo lines without their ids.
std::vector<std::string> our_mounts(const Sandbox& sb) {
    std::vector<std::string> out;
    for (const auto& m : sb.app_mounts()) {
        if (m.mount_point.starts_with(sb.root()))
            out.push_back(m.mount_point + " " + m.root + " " + m.fstype + " " + m.mount_options);
    }
    return out;
}

}  // namespace

// Finding 1.
TEST_CASE("a replace killed between the tuck and the detach is finished, not tucked again") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/lib");
    const auto pristine = our_mounts(sb);
    apply_ok(sb, fstab({sb.path("snap/provider/1/lib") + " " + target + " none bind,ro 0 0"}));
    const std::string v2 =
        fstab({sb.path("snap/provider/2/lib") + " " + target + " none bind,ro 0 0"});

    SUBCASE("killed at the detach") {
        // move_mount: the tuck, the pile's attach, then the old top's move
        // onto the pile (reconcile/pile.hpp), which takes it away.
        apply_killed(sb, v2, "move_mount", 3);
    }
    SUBCASE("the detach failing twice") {
        // The move onto the pile refused, then both detaches of the old
        // top on its own.
        sb.set_desired(v2);
        const Output o =
            sb.apply_traced({"-o", "/dev/null", "-e", "inject=move_mount:error=EINVAL:when=3", "-e",
                             "inject=umount2:error=EBUSY:when=1..2"},
                            {"--json"});
        INFO(o.out << o.err);
        CHECK(o.status == 1);
    }
    // The new mount tucked beneath the old one.
    REQUIRE(count_at(sb, target) == 2);
    // Such a stack is drift until repaired.
    const Output drifted = sb.check();
    INFO(drifted.out << drifted.err);
    CHECK(drifted.status == 1);

    apply_ok(sb, v2);
    const auto at = mounts_at(sb.app_mounts(), target);
    REQUIRE(at.size() == 1);
    CHECK(at[0].root == "/snap/provider/2/lib");
    CHECK(sb.check().status == 0);
    sb.check_rerun_finds_all_done(1, "keep");
    apply_ok(sb, "");
    CHECK(our_mounts(sb) == pristine);
}

// Finding 2.
TEST_CASE("a mimic made by a killed run is owned by the next one, and goes with its layout") {
    Sandbox sb;
    const std::string base = sb.path("base");
    const auto pristine = our_mounts(sb);
    const std::string layout = fstab({sb.path("var/snap/foo/common") + " " + base +
                                      "/data none rbind,rw,x-snapd.origin=layout 0 0"});

    SUBCASE("killed after the mimic is attached, before the mount point is made") {
        // mkdirat: the mount point refused (read-only), the mimic's own
        // "share", then the mount point again, in the mimic.
        apply_killed(sb, layout, "mkdirat", 3);
        REQUIRE(count_at(sb, base) == 2);
    }
    SUBCASE("killed at the rename of the current profile") {
        apply_killed(sb, layout, "renameat", 1);
        REQUIRE(count_at(sb, base) == 2);
        CHECK_FALSE(sb.current());
    }
    SUBCASE("the current profile lost after the run") {
        apply_ok(sb, layout);
        REQUIRE(sb.outer({"rm", sb.current_file()}).status == 0);
    }
    apply_ok(sb, layout);
    // One mimic: the read-only base beneath, the tmpfs on it.
    const auto at = mounts_at(sb.app_mounts(), base);
    REQUIRE(at.size() == 2);
    CHECK(at[1].fstype == "tmpfs");
    CHECK(count_at(sb, base + "/data") == 1);
    // Its entries are in the current profile, which is what snapd reads.
    const auto current = sb.current();
    REQUIRE(current);
    CHECK(current->find("tmpfs " + base + " tmpfs") != std::string::npos);
    CHECK(sb.check().status == 0);
    // Removing the layout takes the mimic down.
    apply_ok(sb, "");
    CHECK(our_mounts(sb) == pristine);
    CHECK_FALSE(sb.exists("base/data"));
}

// Finding 3.
TEST_CASE("a provider refresh after the current profile was lost replaces the old mount") {
    Sandbox sb;
    const std::string target = sb.path("var/snap/foo/common/lib");
    const auto pristine = our_mounts(sb);
    apply_ok(sb, fstab({sb.path("snap/provider/1/lib") + " " + target + " none bind,ro 0 0"}));
    // The journal stands in for it.
    REQUIRE(sb.outer({"rm", sb.current_file()}).status == 0);
    apply_ok(sb, fstab({sb.path("snap/provider/2/lib") + " " + target + " none bind,ro 0 0"}));
    const auto at = mounts_at(sb.app_mounts(), target);
    REQUIRE(at.size() == 1);
    CHECK(at[0].root == "/snap/provider/2/lib");
    CHECK(sb.check().status == 0);
    apply_ok(sb, "");
    CHECK(our_mounts(sb) == pristine);
}

// Finding 11, second part.
TEST_CASE("an unmount removes the mount points it made and keeps those that were there") {
    Sandbox sb;
    const std::string common = sb.path("var/snap/foo/common");
    REQUIRE(sb.outer({"mkdir", common + "/kept"}).status == 0);
    REQUIRE(sb.outer({"touch", common + "/kept.conf"}).status == 0);
    const std::string conf = sb.path("snap/provider/2/etc/foo.conf");
    const std::string lib = sb.path("snap/provider/2/lib");
    apply_ok(sb, fstab({lib + " " + common + "/kept none bind,ro 0 0",
                        lib + " " + common + "/made/deep none bind,ro 0 0",
                        conf + " " + common + "/kept.conf none bind,ro,x-snapd.kind=file 0 0",
                        conf + " " + common + "/made.conf none bind,ro,x-snapd.kind=file 0 0"}));
    REQUIRE(sb.exists("var/snap/foo/common/made/deep"));
    REQUIRE(sb.exists("var/snap/foo/common/made.conf"));

    SUBCASE("in one run") {
        apply_ok(sb, "");
    }
    SUBCASE("killed after the unmounts, then run again") {
        // The last of the four unmounts, before anything is removed.
        apply_killed(sb, "", "umount2", 4);
        apply_ok(sb, "");
    }
    CHECK(sb.exists("var/snap/foo/common/kept"));
    CHECK(sb.exists("var/snap/foo/common/kept.conf"));
    CHECK_FALSE(sb.exists("var/snap/foo/common/made"));
    CHECK_FALSE(sb.exists("var/snap/foo/common/made.conf"));
}
