// The kill-at-every-syscall driver. For each scenario, one uninterrupted
// apply (from the scenario's starting profile to its target) is listed by
// strace; then, for each (system call, occurrence) of it, a fresh sandbox
// is brought to the starting profile, the apply is killed with SIGKILL at
// that call, and a plain apply is run again. Three properties must hold
// after every kill:
//   1. the namespace is the uninterrupted run's (tests/crash/lab.hpp says
//      what is compared);
//   2. `check` exits 0;
//   3. an apply of an empty profile afterwards leaves none of our mounts
//      (the pristine table) and the files the uninterrupted run leaves.
// By default (CI) only the kill points that leave distinct states are
// tried (KillPoint::distinct); NSR_CRASH_FULL=1 tries every one. Each
// scenario prints its counts.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "tests/crash/lab.hpp"
#include "tests/integration/report.hpp"

using namespace nsr::crash;
using nsr::integration::fstab;
using nsr::test::Output;

namespace {

struct Scenario {
    const char* name;
    // Profiles, "@" standing for the sandbox's root.
    std::vector<std::string> before;
    std::vector<std::string> after;
    // More options of every apply.
    std::vector<std::string> extra = {};
    // Shell commands run in the sandbox's namespace before the first apply
    // ("@" for the root).
    std::vector<std::string> setup = {};
};

// A sandbox with the scenario's setup made.
void prepare(const Sandbox& sb, const Scenario& s) {
    for (const std::string& command : s.setup) {
        const Output o = sb.outer({"/bin/sh", "-c", at_root(sb, command)});
        INFO(command << ": " << o.err);
        REQUIRE(o.status == 0);
    }
}

const std::string kLib = "@/var/snap/foo/common/lib";
const std::string kLayout = "x-snapd.origin=layout";

std::string profile(const Sandbox& sb, const std::vector<std::string>& lines) {
    return lines.empty() ? "" : at_root(sb, fstab(lines));
}

// Applies PROFILE, failing the test unless it works.
void apply_ok(const Sandbox& sb, const std::string& profile,
              const std::vector<std::string>& extra) {
    sb.set_desired(profile);
    const Output o = sb.apply(extra);
    INFO("apply of:\n" << profile << o.out << o.err);
    REQUIRE(o.status == 0);
}

void drive(const Scenario& s) {
    const bool full = std::getenv("NSR_CRASH_FULL") != nullptr;
    // The uninterrupted run, listed.
    Sandbox ref;
    prepare(ref, s);
    const Labels ref_labels = pristine_labels(ref);
    const Snapshot pristine = snapshot(ref, ref_labels);
    apply_ok(ref, profile(ref, s.before), s.extra);
    ref.set_desired(profile(ref, s.after));
    const std::string listing = ref.path("state/strace.log");
    const Output traced = ref.apply_traced({"-o", listing}, s.extra);
    INFO(traced.out << traced.err);
    REQUIRE(traced.status == 0);
    const Snapshot expected = snapshot(ref, ref_labels);
    REQUIRE(ref.check().status == 0);
    apply_ok(ref, "", s.extra);
    const Snapshot emptied = snapshot(ref, ref_labels);
    REQUIRE(emptied.mounts == pristine.mounts);
    const auto text = ref.read_file("state/strace.log");
    REQUIRE(text);
    const std::vector<KillPoint> points = kill_points(*text);

    unsigned tried = 0;
    unsigned not_injectable = 0;
    unsigned killed = 0;
    std::set<std::string> missed;  // calls strace did not kill the tool at
    for (const KillPoint& p : points) {
        if (!full && !p.distinct)
            continue;
        if (!p.injectable) {
            ++not_injectable;
            continue;
        }
        ++tried;
        const std::string where = p.syscall + ":" + std::to_string(p.k);
        INFO("killed at " << where);
        Sandbox sb;
        prepare(sb, s);
        const Labels labels = pristine_labels(sb);
        apply_ok(sb, profile(sb, s.before), s.extra);
        sb.set_desired(profile(sb, s.after));
        const Output k =
            sb.apply_traced({"-o", "/dev/null", "-e",
                             "inject=" + p.syscall + ":signal=KILL:when=" + std::to_string(p.k)},
                            s.extra);
        // Not killed: the call was not made this time (strace's own
        // execve); the properties must hold all the same.
        INFO("killed run: " << k.out << k.err);
        REQUIRE((k.status == 128 + SIGKILL || k.status == 0));
        if (k.status == 0)
            missed.insert(p.syscall);
        else
            ++killed;
        const Output again = sb.apply(s.extra);
        INFO("re-run: " << again.out << again.err);
        CHECK(again.status == 0);
        const Snapshot got = snapshot(sb, labels);
        CHECK_MESSAGE(got == expected, "differs from the uninterrupted run:\n"
                                           << diff(expected, got));
        const Output c = sb.check();
        CHECK_MESSAGE(c.status == 0, c.out << c.err);
        apply_ok(sb, "", s.extra);
        const Snapshot after = snapshot(sb, labels);
        CHECK_MESSAGE(after.mounts == pristine.mounts, "left after an empty profile:\n"
                                                           << diff(pristine, after));
        CHECK_MESSAGE(after.tree == emptied.tree, "files after an empty profile:\n"
                                                      << diff(emptied, after));
    }
    std::cout << "crash scenario \"" << s.name << "\": " << points.size() << " system calls, "
              << tried << " kill points tried" << (full ? "" : " (the distinct ones)") << ", "
              << killed << " killed there, " << not_injectable
              << " not injectable (statmount, open_tree_attr)";
    for (const std::string& m : missed)
        std::cout << (m == *missed.begin() ? " (not at: " : ", ") << m;
    std::cout << (missed.empty() ? "\n" : ")\n");
    CHECK(killed > 0);
}

}  // namespace

TEST_CASE("crash: content connect") {
    drive({"content connect",
           {},
           {"@/snap/provider/2/lib " + kLib + " none bind,ro 0 0",
            "@/snap/provider/2/etc/foo.conf @/var/snap/foo/common/foo.conf none "
            "bind,ro,x-snapd.kind=file 0 0"}});
}

TEST_CASE("crash: provider refresh (replace)") {
    drive({"provider refresh",
           {"@/snap/provider/1/lib " + kLib + " none bind,ro 0 0"},
           {"@/snap/provider/2/lib " + kLib + " none bind,ro 0 0"}});
}

// Two replacements: the first old mount is on the pile (reconcile/pile.hpp)
// while the second is tucked, moved and the pile detached.
TEST_CASE("crash: provider refresh of two binds (the pile)") {
    drive({"provider refresh of two binds",
           {"@/snap/provider/1/lib " + kLib + " none bind,ro 0 0",
            "@/snap/provider/1/lib @/var/snap/foo/common/lib2 none bind,ro 0 0"},
           {"@/snap/provider/2/lib " + kLib + " none bind,ro 0 0",
            "@/snap/provider/2/lib @/var/snap/foo/common/lib2 none bind,ro 0 0"}});
}

TEST_CASE("crash: layout needing a mimic") {
    drive({"layout needing a mimic",
           {},
           {"@/var/snap/foo/common @/base/data none rbind,rw," + kLayout + " 0 0"}});
}

TEST_CASE("crash: layout removal (mimic teardown)") {
    drive({"layout removal",
           {"@/var/snap/foo/common @/base/data none rbind,rw," + kLayout + " 0 0"},
           {}});
}

TEST_CASE("crash: nested layouts") {
    // A mimic on @/base for the first, one on its bind-back of
    // @/base/share for the second, a symlink in the first mimic.
    drive({"nested layouts",
           {},
           {"@/var/snap/foo/common @/base/data none rbind,rw," + kLayout + " 0 0",
            "tmpfs @/base/share/cache tmpfs mode=0755," + kLayout + " 0 0",
            "none @/base/tool none x-snapd.kind=symlink,x-snapd.symlink=@/base/share/doc," +
                kLayout + " 0 0"}});
}

// Only the user's home is a writable place for them: their mount points
// are there already.
TEST_CASE("crash: per-user mounts") {
    drive({"per-user mounts",
           {"tmpfs @/var/snap/foo/common/run tmpfs mode=0700 0 0"},
           {"@/snap/provider/2/lib " + kLib + " none bind,ro 0 0",
            "tmpfs @/var/snap/foo/common/run tmpfs mode=0755 0 0"},
           {"--user-mounts", "-u", "0"},
           {"mkdir -p " + kLib + " @/var/snap/foo/common/run"}});
}

// Overlays in the application's writable data: lower layers l1 and l2,
// two upper/work pairs, content in the first upper. The records of
// volatile overlays go to a tmpfs of the sandbox's own over /run (the tool
// keeps them on the host side, /run/nsreconcile/volatile).
const std::string kCommon = "@/var/snap/foo/common";
const std::string kOverlaySetup = "mount -t tmpfs -o mode=0755 tmpfs /run && cd " + kCommon +
                                  " && mkdir l1 l2 up1 wk1 up2 wk2 merged && echo 1 > l1/f && "
                                  "echo 2 > l2/g && echo kept > up1/data";

std::string overlay(const std::string& lower, const std::string& pair,
                    const std::string& options = "") {
    std::string layers;
    for (char c : lower)
        layers += (layers.empty() ? "" : ":") + kCommon + "/l" + c;
    return "overlay " + kCommon + "/merged overlay lowerdir=" + layers + ",upperdir=" + kCommon +
           "/up" + pair + ",workdir=" + kCommon + "/wk" + pair + options + " 0 0";
}

// The overlay's layers changed from l1 to l2:l1, its pair from 1 to TO.
void drive_overlay(const char* name, const std::string& to, const std::string& options = "") {
    drive({name, {overlay("1", "1", options)}, {overlay("21", to, options)}, {}, {kOverlaySetup}});
}

// A change of layers with a new upper: attached beneath the old overlay,
// which, volatile, is synced and unmounted for real.
TEST_CASE("crash: overlay replace (new upper)") {
    drive_overlay("overlay replace", "2");
}

TEST_CASE("crash: volatile overlay replace (new upper)") {
    drive_overlay("volatile overlay replace", "2", ",volatile");
}

// A change of layers that keeps the upper and work dirs: the old overlay
// is synced and unmounted right before the new one is mounted (README,
// "Overlay entries"), as a volatile one too, whose records must let the
// re-run mount the pair again.
TEST_CASE("crash: overlay change keeping its upper") {
    drive_overlay("overlay same upper", "1");
}

TEST_CASE("crash: volatile overlay change keeping its upper") {
    drive_overlay("volatile overlay same upper", "1", ",volatile");
}
