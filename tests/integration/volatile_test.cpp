// Overlays with an upper dir, applied by the real binary, whose evidence of
// volatile overlays is kept under /run as on a real system (the sandbox's
// own tmpfs over /run here, so nothing reaches the host's): a volatile
// overlay removed by apply is mounted again with its data; after a
// simulated reboot (the namespace discarded, /run emptied) its pair is
// refused, or set aside under x-nsr.volatile-stale=quarantine; an overlay
// that went away with its namespace falls under the policy too; and a
// change of layers that keeps the upper and work dirs is an unmount right
// before a mount, which a busy overlay refuses.
#include <doctest/doctest.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

const std::string kCommon = "var/snap/foo/common/";

// A sandbox with lower layers l1 (f: "from l1") and l2 (g: "from l2"), an
// upper and a work dir and a mount point in R/var/snap/foo/common, and an
// empty tmpfs over /run in its namespace, where apply keeps its records.
struct World {
    Sandbox sb;

    World() {
        for (const char* d : {"l1", "l2", "upper", "work", "merged"})
            REQUIRE(sb.outer({"mkdir", "-p", at(d)}).status == 0);
        sb.write_file(kCommon + "l1/f", "from l1");
        sb.write_file(kCommon + "l2/g", "from l2");
        empty_run();
    }

    std::string at(const std::string& rel) const { return sb.path(kCommon + rel); }

    // A new empty /run in the sandbox's namespace, as after a reboot.
    void empty_run() const {
        const Output o = sb.outer({"mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"});
        REQUIRE_MESSAGE(o.status == 0, o.err);
    }

    // The overlay entry at merged with the layers LOWER, upper and work, and
    // OPTIONS after them.
    std::string entry(const std::string& lower, const std::string& options = "volatile") const {
        std::string e = "overlay " + at("merged") + " overlay lowerdir=" + lower +
                        ",upperdir=" + at("upper") + ",workdir=" + at("work");
        return e + (options.empty() ? "" : "," + options) + " 0 0";
    }

    // `apply --json -v` of DESIRED.
    struct Run {
        int status;
        std::vector<ChangeReport> changes;
        std::string log;  // the debug log
    };
    Run apply(const std::vector<std::string>& desired) const {
        sb.set_desired(fstab(desired));
        const Output o = sb.apply({"--json", "-v"});
        INFO("stdout: " << o.out << "\nstderr: " << o.err);
        return {o.status, parse_report(o.out), o.err};
    }

    std::string app_read(const std::string& rel) const {
        const Output o = sb.app({"cat", at(rel)});
        return o.status == 0 ? o.out : "<" + o.err + ">";
    }

    // The evidence store's one record, as text.
    std::string record() const {
        const Output o = sb.outer({"sh", "-c", "cat /run/nsreconcile/volatile/*.volatile"});
        return o.status == 0 ? o.out : "<no record: " + o.err + ">";
    }

    bool marker() const { return sb.exists(kCommon + "work/work/incompat/volatile"); }
    size_t mounts_at_merged() const { return mounts_at(sb.app_mounts(), at("merged")).size(); }

    // Mounted (volatile), written to, then removed by applying an empty
    // profile: the pair carries the marker and a clean record.
    void use_and_remove() const {
        const Run first = apply({entry(at("l1"))});
        REQUIRE(first.status == 0);
        REQUIRE(first.changes.size() == 1);
        CHECK(first.changes[0].outcome == "done");
        CHECK(record().find("state=mounted\n") != std::string::npos);
        REQUIRE(sb.app_sh("printf written > " + at("merged/data")).status == 0);
        const Run removed = apply({});
        REQUIRE(removed.status == 0);
        REQUIRE(removed.changes.size() == 1);
        CHECK(removed.changes[0].action == "unmount");
        CHECK(removed.changes[0].outcome == "done");
        CHECK(mounts_at_merged() == 0);
        CHECK(marker());
        const std::string r = record();
        CHECK(r.find("state=unmounted\n") != std::string::npos);
        CHECK(r.find("syncfs_errno=0\n") != std::string::npos);
    }
};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a volatile overlay removed by apply is mounted again with its data") {
    World w;
    w.use_and_remove();
    const World::Run again = w.apply({w.entry(w.at("l1"))});
    CHECK(again.status == 0);
    REQUIRE(again.changes.size() == 1);
    CHECK(again.changes[0].outcome == "done");
    CHECK(w.app_read("merged/data") == "written");
    CHECK(w.app_read("merged/f") == "from l1");
    CHECK(has(again.log, "volatile overlay at " + w.at("merged") + " (upperdir " + w.at("upper") +
                             "): reuse, decided by the all checks check: mounted volatile by "
                             "nsreconcile in this boot"));
    CHECK(has(w.record(), "state=mounted\n"));
    CHECK(w.sb.current() == fstab({w.entry(w.at("l1"))}));
}

TEST_CASE("after a simulated reboot, refuse fails cleanly and quarantine sets the pair aside") {
    World w;
    w.use_and_remove();
    w.sb.renew_app_namespace();
    w.empty_run();
    const std::string tmpfs = "tmpfs " + w.at("other") + " tmpfs mode=0755 0 0";

    // refuse (the default): the entry fails, nothing is changed, the rest
    // of the profile goes on.
    const World::Run refused = w.apply({w.entry(w.at("l1")), tmpfs});
    CHECK(refused.status == 1);
    REQUIRE(refused.changes.size() == 2);
    const ChangeReport& overlay =
        refused.changes[0].entry.starts_with("overlay") ? refused.changes[0] : refused.changes[1];
    const ChangeReport& other =
        &overlay == &refused.changes[0] ? refused.changes[1] : refused.changes[0];
    CHECK(overlay.outcome == "failed");
    CHECK(overlay.detail ==
          "overlay at \"" + w.at("merged") + "\": cannot mount the volatile upperdir \"" +
              w.at("upper") +
              "\" again: no record that nsreconcile mounted this pair volatile in this boot; "
              "nothing was changed (x-nsr.volatile-stale=quarantine would set it aside and start "
              "empty)");
    CHECK(other.outcome == "done");
    CHECK(w.sb.read_file(kCommon + "upper/data") == "written");
    CHECK(w.marker());
    CHECK(w.mounts_at_merged() == 0);
    CHECK(w.sb.current() == fstab({tmpfs}));
    CHECK(has(refused.log, "refuse, decided by the record check"));

    // quarantine: the old pair is kept beside, and the overlay starts empty.
    const World::Run fresh =
        w.apply({w.entry(w.at("l1"), "volatile,x-nsr.volatile-stale=quarantine"), tmpfs});
    CHECK(fresh.status == 0);
    CHECK(w.mounts_at_merged() == 1);
    CHECK(w.app_read("merged/f") == "from l1");
    CHECK_FALSE(w.sb.exists(kCommon + "upper/data"));
    const Output listing = w.sb.outer({"ls", w.sb.path(kCommon)});
    const std::regex stale_upper(R"(upper\.stale-(\d{8}T\d{6}Z))");
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_search(listing.out, m, stale_upper), listing.out);
    const std::string stamp = m[1];
    CHECK(w.sb.read_file(kCommon + "upper.stale-" + stamp + "/data") == "written");
    CHECK(w.sb.exists(kCommon + "work.stale-" + stamp + "/work/incompat/volatile"));
    CHECK(has(fresh.log, "quarantine, decided by the record check"));
}

TEST_CASE("an upper dir replaced since the clean unmount (a restored copy) is refused") {
    World w;
    w.use_and_remove();
    // The same path and contents, another directory: what a restore from a
    // backup, or a tool that rebuilt the upper, leaves behind. Nothing says
    // the copy is what the overlay wrote.
    REQUIRE(w.sb.outer({"sh", "-c",
                        "cp -a " + w.at("upper") + " " + w.at("upper.copy") + " && rm -r " +
                            w.at("upper") + " && mv " + w.at("upper.copy") + " " + w.at("upper")})
                .status == 0);
    const World::Run again = w.apply({w.entry(w.at("l1"))});
    CHECK(again.status == 1);
    REQUIRE(again.changes.size() == 1);
    CHECK(again.changes[0].outcome == "failed");
    const std::regex why("overlay at \"" + w.at("merged") +
                         "\": cannot mount the volatile upperdir \"" + w.at("upper") +
                         "\" again: the upper directory is another one \\(inode [0-9]+, recorded "
                         "[0-9]+\\); nothing was changed \\(x-nsr.volatile-stale=quarantine would "
                         "set it aside and start empty\\)");
    CHECK_MESSAGE(std::regex_match(again.changes[0].detail, why), again.changes[0].detail);
    CHECK(has(again.log, "refuse, decided by the identity check"));
    CHECK(w.mounts_at_merged() == 0);
    CHECK(w.marker());
    CHECK(w.sb.read_file(kCommon + "upper/data") == "written");
}

TEST_CASE("a volatile overlay that went away with its namespace falls under the policy") {
    World w;
    REQUIRE(w.apply({w.entry(w.at("l1"))}).status == 0);
    REQUIRE(w.sb.app_sh("printf written > " + w.at("merged/data")).status == 0);
    w.sb.renew_app_namespace();
    // The current profile says it is mounted: apply finds it missing and
    // mounts it again, which the record (mounted, never unmounted) refuses.
    const World::Run again = w.apply({w.entry(w.at("l1"))});
    CHECK(again.status == 1);
    REQUIRE(again.changes.size() == 1);
    CHECK(again.changes[0].outcome == "failed");
    CHECK(
        has(again.changes[0].detail, "again: its last unmount was not nsreconcile's: mounted at "));
    CHECK(has(again.log, "refuse, decided by the unmount check"));
    CHECK(w.sb.read_file(kCommon + "upper/data") == "written");
}

TEST_CASE("a change of layers that keeps the upper: unmount right before mount, data kept") {
    World w;
    for (const std::string options : {"", "volatile"}) {
        CAPTURE(options);
        REQUIRE(w.apply({w.entry(w.at("l1"), options)}).status == 0);
        REQUIRE(w.sb.app_sh("printf kept > " + w.at("merged/data")).status == 0);
        const World::Run changed = w.apply({w.entry(w.at("l2") + ":" + w.at("l1"), options)});
        CHECK(changed.status == 0);
        REQUIRE(changed.changes.size() == 2);
        CHECK(changed.changes[0].action == "unmount");
        CHECK(changed.changes[0].outcome == "done");
        CHECK(changed.changes[1].action == "mount");
        CHECK(changed.changes[1].outcome == "done");
        CHECK(w.mounts_at_merged() == 1);
        CHECK(w.app_read("merged/data") == "kept");
        CHECK(w.app_read("merged/g") == "from l2");
        CHECK(w.app_read("merged/f") == "from l1");
        CHECK(w.sb.current() == fstab({w.entry(w.at("l2") + ":" + w.at("l1"), options)}));
        REQUIRE(w.apply({}).status == 0);
    }
}

TEST_CASE("a busy overlay that keeps its upper is not replaced, and not stacked on") {
    World w;
    const std::string first = w.entry(w.at("l1"), "");
    REQUIRE(w.apply({first}).status == 0);
    // A process with its working directory in the overlay keeps it busy.
    const std::string ready = w.sb.path("state/ready");
    nsr::test::Process holder(
        {"/bin/sh", "-c", "cd " + w.at("merged") + " && : > " + ready + " && exec sleep 60"},
        {.ns_file = w.sb.app_ns()});
    for (int i = 0; i < 500 && !w.sb.exists("state/ready"); ++i)
        ::usleep(10000);
    REQUIRE(w.sb.exists("state/ready"));
    const World::Run changed = w.apply({w.entry(w.at("l2") + ":" + w.at("l1"), "")});
    CHECK(changed.status == 1);
    REQUIRE(changed.changes.size() == 2);
    CHECK(changed.changes[0].outcome == "failed");
    CHECK(changed.changes[0].detail ==
          "cannot unmount \"" + w.at("merged") + "\": Device or resource busy");
    CHECK(changed.changes[1].outcome == "failed");
    CHECK(changed.changes[1].detail ==
          "overlay at \"" + w.at("merged") + "\": cannot mount with the upperdir \"" +
              w.at("upper") + "\": the overlay at \"" + w.at("merged") +
              "\" uses this upper or work dir (it is still mounted: its unmount failed); nothing "
              "was changed");
    CHECK(w.mounts_at_merged() == 1);
    CHECK(w.app_read("merged/f") == "from l1");
    CHECK(w.sb.current() == fstab({first}));
}

TEST_CASE("in a container's namespace (--pid) the checks and records are the host's") {
    World w;
    // A process in a mount namespace of its own, as a container's first
    // process is; the pair is checked and the overlay made on the host
    // side, stepping out of it.
    const std::string ready = w.sb.path("state/ready");
    nsr::test::Process ctr({"unshare", "-m", "--propagation", "private", "sh", "-c",
                            ": > " + ready + "; exec sleep 60"},
                           {.ns_file = w.sb.outer_ns()});
    for (int i = 0; i < 500 && !w.sb.exists("state/ready"); ++i)
        ::usleep(10000);
    REQUIRE(w.sb.exists("state/ready"));
    const std::string pid = std::to_string(ctr.pid());
    auto apply = [&](const std::vector<std::string>& desired) {
        w.sb.set_desired(fstab(desired));
        const Output o = w.sb.outer({NSR_BINARY, "apply", "ctr", "--pid", pid, "--desired",
                                     w.sb.desired_file(), "--current", w.sb.current_file(),
                                     "--lock", w.sb.lock_file(), "--json", "-v"});
        INFO("stdout: " << o.out << "\nstderr: " << o.err);
        return World::Run{o.status, parse_report(o.out), o.err};
    };
    auto in_ctr = [&](const std::string& script) {
        return nsr::test::run({"nsenter", "-t", pid, "-m", "sh", "-c", script}).out;
    };
    REQUIRE(apply({w.entry(w.at("l1"))}).status == 0);
    CHECK(has(w.record(), "state=mounted\n"));
    in_ctr("printf written > " + w.at("merged/data"));
    REQUIRE(apply({}).status == 0);
    CHECK(has(w.record(), "state=unmounted\n"));
    const World::Run again = apply({w.entry(w.at("l2") + ":" + w.at("l1"))});
    CHECK(again.status == 0);
    CHECK(has(again.log, "reuse, decided by the all checks check"));
    CHECK(in_ctr("cat " + w.at("merged/data") + " " + w.at("merged/g")) == "writtenfrom l2");
    // A change of layers keeping the pair: unmounted inside, then made on
    // the host side and attached inside.
    const World::Run changed = apply({w.entry(w.at("l1"))});
    CHECK(changed.status == 0);
    REQUIRE(changed.changes.size() == 2);
    CHECK(changed.changes[0].action == "unmount");
    CHECK(changed.changes[1].action == "mount");
    CHECK(in_ctr("cat " + w.at("merged/data") + " " + w.at("merged/f")) == "writtenfrom l1");
    // Nothing was attached on the host side, nor in the application's
    // namespace.
    CHECK(mounts_at(w.sb.outer_mounts(), w.at("merged")).empty());
    CHECK(w.mounts_at_merged() == 0);
}
