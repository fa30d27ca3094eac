#include <doctest/doctest.h>

#include <string>

#include "profile/fstab.hpp"
#include "reconcile/drift.hpp"

using namespace nsr::reconcile;
using nsr::mountinfo::MountTable;

namespace {

nsr::profile::MountProfile parse_profile(const std::string& text) {
    return nsr::profile::parse_profile(text, "profile");
}

// The host side of a small snap system: a squashfs provider, the app's
// squashfs, a tmpfs for /tmp.
const char* const kBase =
    "1 0 8:1 / / ro,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "20 1 7:2 / /snap/prov/2 ro,nodev,relatime shared:2 - squashfs /dev/loop2 ro\n"
    "22 1 7:1 / /snap/foo/1 ro,nodev,relatime shared:4 - squashfs /dev/loop1 ro\n";

const char* const kProfile =
    "/snap/prov/2/lib /snap/foo/1/data none bind,ro 0 0\n"
    "tmpfs /snap/foo/1/cache tmpfs mode=0755 0 0\n";

TableFsView facts() {
    return TableFsView({"/snap/prov/2/lib", "/snap/foo/1/data", "/snap/foo/1/cache"}, {}, {});
}

}  // namespace

TEST_CASE("drift: every entry in place and nothing else is in step") {
    auto table = MountTable::parse(std::string(kBase) +
                                   "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs "
                                   "/dev/loop2 ro\n"
                                   "31 22 0:50 / /snap/foo/1/cache rw - tmpfs tmpfs rw,mode=755\n");
    auto r = drift(parse_profile(kProfile), table, facts());
    CHECK(r.checked == 2);
    CHECK(r.in_step());
}

TEST_CASE("drift: an entry whose mount point has nothing mounted is missing") {
    auto table = MountTable::parse(std::string(kBase) +
                                   "31 22 0:50 / /snap/foo/1/cache rw - tmpfs tmpfs rw,mode=755\n");
    auto r = drift(parse_profile(kProfile), table, facts());
    REQUIRE(r.items.size() == 1);
    CHECK(r.items[0].type == DriftType::Missing);
    CHECK(r.items[0].dir == "/snap/foo/1/data");
    REQUIRE(r.items[0].entry.has_value());
    CHECK(r.items[0].entry->name == "/snap/prov/2/lib");
}

TEST_CASE("drift: another filesystem at an entry's mount point differs") {
    auto table = MountTable::parse(std::string(kBase) +
                                   "30 22 0:60 / /snap/foo/1/data rw - tmpfs tmpfs rw\n"
                                   "31 22 0:50 / /snap/foo/1/cache rw - tmpfs tmpfs rw,mode=700\n");
    auto r = drift(parse_profile(kProfile), table, facts());
    REQUIRE(r.items.size() == 2);
    CHECK(r.items[0].type == DriftType::Differs);
    CHECK(r.items[0].dir == "/snap/foo/1/data");
    CHECK(r.items[0].detail.find("tmpfs") != std::string::npos);
    // The tmpfs is there but with the wrong mode.
    CHECK(r.items[1].type == DriftType::Differs);
    CHECK(r.items[1].dir == "/snap/foo/1/cache");
    CHECK(r.items[1].detail.find("mode=700") != std::string::npos);
}

TEST_CASE("drift: the same bind stacked twice is extra") {
    auto table =
        MountTable::parse(std::string(kBase) +
                          "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n"
                          "32 30 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n"
                          "31 22 0:50 / /snap/foo/1/cache rw - tmpfs tmpfs rw,mode=755\n");
    auto r = drift(parse_profile(kProfile), table, facts());
    REQUIRE(r.items.size() == 1);
    CHECK(r.items[0].type == DriftType::Extra);
    CHECK(r.items[0].dir == "/snap/foo/1/data");
    CHECK(r.items[0].detail.find("2 mounts stacked") != std::string::npos);
}

TEST_CASE("drift: a mount that was at the mount point before the profile is not extra") {
    // /tmp was a mount of the host; the profile puts its own tmpfs on it.
    auto table = MountTable::parse(std::string(kBase) +
                                   "25 1 0:40 / /tmp rw - tmpfs tmpfs rw\n"
                                   "33 25 0:51 / /tmp rw - tmpfs none rw,mode=1777\n");
    auto r = drift(parse_profile("none /tmp tmpfs defaults 0 0\n"), table,
                   TableFsView({"/tmp"}, {}, {}));
    CHECK(r.in_step());
}

TEST_CASE("drift: a mount below an entry's mount point that no entry names is extra") {
    auto table =
        MountTable::parse(std::string(kBase) +
                          "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n"
                          "31 22 0:50 / /snap/foo/1/cache rw - tmpfs tmpfs rw,mode=755\n"
                          "40 31 0:70 / /snap/foo/1/cache/x rw - tmpfs stray rw\n");
    auto r = drift(parse_profile(kProfile), table, facts());
    REQUIRE(r.items.size() == 1);
    CHECK(r.items[0].type == DriftType::Extra);
    CHECK(r.items[0].dir == "/snap/foo/1/cache/x");
    CHECK_FALSE(r.items[0].entry.has_value());
    CHECK(r.items[0].detail.find("stray") != std::string::npos);
}

TEST_CASE("drift: submounts an rbind brings along are accounted for") {
    auto table =
        MountTable::parse(std::string(kBase) +
                          "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n"
                          "41 30 0:71 / /snap/foo/1/data/sub rw - tmpfs t rw\n");
    auto r = drift(parse_profile("/snap/prov/2/lib /snap/foo/1/data none rbind,ro 0 0\n"), table,
                   TableFsView({"/snap/prov/2/lib", "/snap/foo/1/data"}, {}, {}));
    CHECK(r.in_step());
}

TEST_CASE("drift: submounts of a covered mount are out of sight, not extra") {
    // The host's /run had /run/user/0 on it; the profile's tmpfs covers /run.
    auto table = MountTable::parse(std::string(kBase) + "25 1 0:40 / /run rw - tmpfs tmpfs rw\n" +
                                   "26 25 0:41 / /run/user/0 rw - tmpfs tmpfs rw\n" +
                                   "34 25 0:52 / /run rw - tmpfs none rw\n");
    auto r = drift(parse_profile("none /run tmpfs defaults 0 0\n"), table,
                   TableFsView({"/run/user/0"}, {}, {}));
    CHECK(r.in_step());
}

TEST_CASE("drift: symlink entries compare the link and its target") {
    auto table = MountTable::parse(kBase);
    auto profile = parse_profile(
        "none /snap/foo/1/a none x-snapd.kind=symlink,x-snapd.symlink=/snap/prov/2/lib 0 0\n"
        "none /snap/foo/1/b none x-snapd.kind=symlink,x-snapd.symlink=/snap/prov/2/lib 0 0\n"
        "none /snap/foo/1/c none x-snapd.kind=symlink,x-snapd.symlink=/snap/prov/2/lib 0 0\n");
    TableFsView fs({"/snap/prov/2/lib"}, {},
                   {{"/snap/foo/1/a", "/snap/prov/2/lib"}, {"/snap/foo/1/b", "/elsewhere"}});
    auto r = drift(profile, table, fs);
    REQUIRE(r.items.size() == 2);
    CHECK(r.items[0].type == DriftType::Differs);
    CHECK(r.items[0].dir == "/snap/foo/1/b");
    CHECK(r.items[0].detail.find("/elsewhere") != std::string::npos);
    CHECK(r.items[1].type == DriftType::Missing);
    CHECK(r.items[1].dir == "/snap/foo/1/c");
}

TEST_CASE("drift: mount ids and peer groups are not identity") {
    const std::string renumbered =
        "7 0 8:1 / / ro,relatime - ext4 /dev/sda1 rw\n"
        "90 7 7:2 / /snap/prov/2 ro,nodev,relatime master:9 - squashfs /dev/loop2 ro\n"
        "91 7 7:1 / /snap/foo/1 ro,nodev,relatime - squashfs /dev/loop1 ro\n"
        "95 91 7:2 /lib /snap/foo/1/data ro,relatime shared:77 - squashfs /dev/loop2 ro\n"
        "96 91 0:50 / /snap/foo/1/cache rw - tmpfs tmpfs rw,mode=755\n";
    CHECK(drift(parse_profile(kProfile), MountTable::parse(renumbered), facts()).in_step());
}
