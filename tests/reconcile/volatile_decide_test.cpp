// volatile_reuse_decide(): which check decides, in which order, under each
// policy, from facts made up for the purpose (boot ids, filesystem
// identities, records), and the evidence store's records on real files.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "reconcile/volatile_evidence.hpp"
#include "reconcile/volatile_reuse.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using nsr::profile::VolatileStale;
using nsr::test::Scratch;
using Action = VolatileVerdict::Action;

namespace {

const UpperIdentity kId{makedev(0, 42), 0x1234, 77};
const MarkerIdentity kMarker{991, 1735689600, 123456789};

// A pair nsreconcile mounted in boot "b1" and unmounted cleanly, found
// unchanged: everything a reuse needs.
VolatileFacts clean() {
    VolatileFacts f;
    f.marker = true;
    f.boot_id = "b1";
    f.identity = kId;
    f.marker_identity = kMarker;
    VolatileRecord r;
    r.upper = "/s/u";
    r.work = "/s/w";
    r.boot_id = "b1";
    r.identity = kId;
    r.marker = kMarker;
    r.state = VolatileState::Unmounted;
    r.mounted_at = "20250101T000000Z";
    r.unmounted_at = "20250101T010000Z";
    f.record = r;
    return f;
}

std::string summary(const VolatileVerdict& v) {
    return std::string(volatile_action_name(v.action)) + " by " + v.check + ": " + v.reason;
}

std::string decide(const VolatileFacts& f, VolatileStale p = VolatileStale::Refuse) {
    return summary(volatile_reuse_decide(f, p));
}

}  // namespace

TEST_CASE("no marker: nothing to decide, mount") {
    VolatileFacts f = clean();
    f.marker = false;
    f.record.reset();
    CHECK(decide(f) == "mount by marker: no volatile marker: nothing to reuse");
}

TEST_CASE("every check passes: reuse") {
    CHECK(decide(clean()) ==
          "reuse by all checks: mounted volatile by nsreconcile in this boot at "
          "20250101T000000Z, unmounted by it at 20250101T010000Z after a clean syncfs, the same "
          "upper filesystem, and syncfs succeeds now");
    CHECK(volatile_reuse_decide(clean(), VolatileStale::Quarantine).action == Action::Reuse);
}

TEST_CASE("each failing check decides, under refuse and under quarantine") {
    struct Case {
        const char* name;
        void (*spoil)(VolatileFacts&);
        const char* verdict;
    };
    const Case cases[] = {
        {"no record", [](VolatileFacts& f) { f.record.reset(); },
         "record: no record that nsreconcile mounted this pair volatile in this boot"},
        {"unreadable record",
         [](VolatileFacts& f) {
             f.record.reset();
             f.record_problem = "R/x.volatile is not a record: no state";
         },
         "record: no record that nsreconcile mounted this pair volatile in this boot (R/x.volatile "
         "is not a record: no state)"},
        {"another boot", [](VolatileFacts& f) { f.boot_id = "b2"; },
         "boot: it was mounted in another boot (boot id b1, now b2)"},
        {"never unmounted by nsreconcile",
         [](VolatileFacts& f) { f.record->state = VolatileState::Mounted; },
         "unmount: its last unmount was not nsreconcile's: mounted at 20250101T000000Z, then it "
         "went away without nsreconcile unmounting it"},
        {"syncfs failed before the unmount", [](VolatileFacts& f) { f.record->sync_errno = EIO; },
         "unmount: syncfs inside the overlay before its unmount at 20250101T010000Z failed: "
         "Input/output error"},
        {"another volatile mount since", [](VolatileFacts& f) { f.marker_identity.ino = 992; },
         "unmount: the volatile marker is not the one nsreconcile's mount at 20250101T000000Z "
         "made: the pair was mounted volatile again since, not by nsreconcile"},
        {"the same marker inode, made again",
         [](VolatileFacts& f) { ++f.marker_identity.ctime_nsec; },
         "unmount: the volatile marker is not the one nsreconcile's mount at 20250101T000000Z "
         "made: the pair was mounted volatile again since, not by nsreconcile"},
        {"another device", [](VolatileFacts& f) { f.identity.dev = makedev(0, 43); },
         "identity: the upper filesystem is another device (0:43, recorded 0:42)"},
        {"another fsid", [](VolatileFacts& f) { f.identity.fsid = 0x9999; },
         "identity: the upper filesystem has another statfs f_fsid"},
        {"another upper directory", [](VolatileFacts& f) { f.identity.ino = 78; },
         "identity: the upper directory is another one (inode 78, recorded 77)"},
        {"syncfs fails now", [](VolatileFacts& f) { f.sync_errno = EIO; },
         "syncfs: syncfs on the upper filesystem fails now: Input/output error"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        VolatileFacts f = clean();
        c.spoil(f);
        CHECK(decide(f, VolatileStale::Refuse) == std::string("refuse by ") + c.verdict);
        CHECK(decide(f, VolatileStale::Quarantine) == std::string("quarantine by ") + c.verdict);
    }
}

TEST_CASE("a record left between two steps by a killed run") {
    // Stopped at the unmount, after a clean syncfs: its unmount.
    VolatileFacts f = clean();
    f.record->state = VolatileState::Unmounting;
    CHECK(decide(f) ==
          "reuse by all checks: mounted volatile by nsreconcile in this boot at "
          "20250101T000000Z, unmounted by it at 20250101T010000Z after a clean syncfs (the run "
          "was stopped at its unmount), the same upper filesystem, and syncfs succeeds now");
    f.record->sync_errno = EIO;
    CHECK(volatile_reuse_decide(f, VolatileStale::Refuse).action == Action::Refuse);
    // Made, never attached: with the marker that mount made, or before it
    // was known.
    const std::string never_attached =
        "reuse by all checks: made volatile by nsreconcile in this boot at 20250101T000000Z and "
        "never attached (the run making it was stopped), the same upper filesystem, and syncfs "
        "succeeds now";
    f = clean();
    f.record->state = VolatileState::Attaching;
    CHECK(decide(f) == never_attached);
    f.marker_identity.ino = 992;
    CHECK(decide(f) ==
          "refuse by unmount: the volatile marker is not the one nsreconcile's mount at "
          "20250101T000000Z made: the pair was mounted volatile again since, not by nsreconcile");
    f.record->state = VolatileState::Mounting;
    f.record->marker = {};
    CHECK(decide(f) == never_attached);
    f.identity.ino = 78;
    CHECK(volatile_reuse_decide(f, VolatileStale::Refuse).check == "identity");
    f = clean();
    f.record->state = VolatileState::Mounting;
    f.boot_id = "b2";
    CHECK(volatile_reuse_decide(f, VolatileStale::Refuse).check == "boot");
}

TEST_CASE("the checks run in order: the first failing one decides") {
    VolatileFacts f = clean();
    f.sync_errno = EIO;
    f.identity.ino = 1;
    f.record->sync_errno = EIO;
    f.boot_id = "b2";
    CHECK(volatile_reuse_decide(f, VolatileStale::Refuse).check == "boot");
    f.boot_id = "b1";
    CHECK(volatile_reuse_decide(f, VolatileStale::Refuse).check == "unmount");
    f.record->sync_errno = 0;
    CHECK(volatile_reuse_decide(f, VolatileStale::Refuse).check == "identity");
    f.identity.ino = kId.ino;
    CHECK(volatile_reuse_decide(f, VolatileStale::Refuse).check == "syncfs");
}

TEST_CASE("a pair in use by a live overlay is refused whatever the policy, marker or not") {
    VolatileFacts f = clean();
    f.in_use_at = "/m";
    CHECK(decide(f, VolatileStale::Quarantine) ==
          "refuse by in use: the overlay at \"/m\" uses this upper or work dir");
    f.record.reset();
    CHECK(volatile_reuse_decide(f, VolatileStale::Quarantine).action == Action::Refuse);
    f.marker = false;
    CHECK(decide(f) == "refuse by in use: the overlay at \"/m\" uses this upper or work dir");
}

TEST_CASE("the store keeps one record a pair, mounted then unmounted") {
    Scratch s;
    VolatileStore store = VolatileStore::open(s / "run/volatile");
    CHECK_FALSE(store.find("/s/u", "/s/w").has_value());
    store.record_mounted("/s/u", "/s/w", "b1", kId, kMarker, 1735689600);
    auto r = store.find("/s/u", "/s/w");
    REQUIRE(r.has_value());
    CHECK(r->boot_id == "b1");
    CHECK(r->identity == kId);
    CHECK(r->marker == kMarker);
    CHECK(r->state == VolatileState::Attaching);
    CHECK(r->mounted_at == "20250101T000000Z");
    CHECK(store.record_attached("/s/u", "/s/w"));
    CHECK(store.find("/s/u", "/s/w")->state == VolatileState::Mounted);
    CHECK_FALSE(store.record_attached("/s/u", "/s/w"));
    CHECK(store.record_unmounting("/s/u", "/s/w", 0, 1735693200));
    CHECK(store.find("/s/u", "/s/w")->state == VolatileState::Unmounting);
    CHECK(store.record_unmounted("/s/u", "/s/w", EIO, 1735693200));
    r = store.find("/s/u", "/s/w");
    REQUIRE(r.has_value());
    CHECK(r->state == VolatileState::Unmounted);
    CHECK(r->sync_errno == EIO);
    CHECK(r->unmounted_at == "20250101T010000Z");
    // Another pair has its own record, and none yet.
    CHECK_FALSE(store.find("/s/u", "/s/w2").has_value());
    CHECK_FALSE(store.record_unmounted("/s/u", "/s/w2", 0, 1735693200));
    CHECK_FALSE(store.find("/s/u", "/s/w2").has_value());
    // A new mount starts a new record.
    store.record_mounted("/s/u", "/s/w", "b2", kId, kMarker, 1735696800);
    r = store.find("/s/u", "/s/w");
    REQUIRE(r.has_value());
    CHECK(r->state == VolatileState::Attaching);
    CHECK(r->boot_id == "b2");
    // A record made before the mount has no marker yet.
    store.record_mounting("/s/u", "/s/w", "b3", kId, 1735696800);
    r = store.find("/s/u", "/s/w");
    REQUIRE(r.has_value());
    CHECK(r->state == VolatileState::Mounting);
    CHECK(r->marker == MarkerIdentity{});
    CHECK(r->boot_id == "b3");
    CHECK(store.forget("/s/u", "/s/w") == 0);
    CHECK_FALSE(store.find("/s/u", "/s/w").has_value());
    CHECK(store.forget("/s/u", "/s/w") == 0);
    struct stat st {};
    REQUIRE(::stat((s / "run/volatile").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
}

TEST_CASE("paths with spaces and newlines survive a record") {
    Scratch s;
    VolatileStore store = VolatileStore::open(s / "v");
    const std::string upper = "/s/a b\nc", work = "/s/w\\x";
    store.record_mounted(upper, work, "b1", kId, kMarker, 0);
    auto r = store.find(upper, work);
    REQUIRE(r.has_value());
    CHECK(r->upper == upper);
    CHECK(r->work == work);
}

TEST_CASE("a file that is not a record, or another pair's, counts as no record and says why") {
    Scratch s;
    VolatileStore store = VolatileStore::open(s / "v");
    const std::string name = VolatileStore::file_name("/s/u", "/s/w");
    nsr::test::write_file(s / ("v/" + name), "upper=/s/u\nwork=/s/w\n");
    std::string why;
    CHECK_FALSE(store.find("/s/u", "/s/w", &why).has_value());
    CHECK(why == s / ("v/" + name) + " is not a record: no boot_id");
    nsr::test::write_file(s / ("v/" + name),
                          "upper=/other\nwork=/s/w\nboot_id=b\ndev=0:1\nfsid=1\nupper_ino=2\n"
                          "marker=1:2.3\nmounted_at=t\nstate=mounted\n");
    CHECK_FALSE(store.find("/s/u", "/s/w", &why).has_value());
    CHECK(why == s / ("v/" + name) + " is the record of another pair");
    nsr::test::write_file(s / ("v/" + name), "upper=/s/u\nwork=/s/w\nboot_id=b");
    CHECK_FALSE(store.find("/s/u", "/s/w", &why).has_value());
    CHECK(why == s / ("v/" + name) + " is not a record: the last line is cut short");
}

TEST_CASE("UTC stamps for records and quarantine names") {
    CHECK(utc_stamp(0) == "19700101T000000Z");
    CHECK(utc_stamp(1764505920) == "20251130T123200Z");
}

TEST_CASE("the boot id is the kernel's") {
    const std::string id = boot_id_read();
    CHECK(id.size() == 36);
    CHECK(id == nsr::test::read_file("/proc/sys/kernel/random/boot_id").substr(0, 36));
}
