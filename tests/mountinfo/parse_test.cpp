#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <system_error>

#include "mountinfo/mount_table.hpp"
#include "tests/support/thrown.hpp"

using nsr::base::InputError;
using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;
using nsr::mountinfo::parse_mountinfo;

namespace {

// The message of the InputError that parsing TEXT throws.
std::string parse_error(const std::string& text) {
    return nsr::test::thrown_message<InputError>([&] { parse_mountinfo(text, "fixture"); },
                                                 "no error");
}

const char* const kGood = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n";

}  // namespace

TEST_CASE("parse reads every field of snapd's example line") {
    const auto mounts = parse_mountinfo(
        "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n");
    REQUIRE(mounts.size() == 1);
    const Mount& m = mounts[0];
    CHECK(m.id == 36);
    CHECK(m.parent_id == 35);
    CHECK(m.major == 98);
    CHECK(m.minor == 0);
    CHECK(m.dev() == makedev(98, 0));
    CHECK(m.root == "/mnt1");
    CHECK(m.mount_point == "/mnt2");
    CHECK(m.mount_options == "rw,noatime");
    CHECK(m.optional_fields == std::vector<std::string>{"master:1"});
    CHECK(m.fstype == "ext3");
    CHECK(m.source == "/dev/root");
    CHECK(m.super_options == "rw,errors=continue");
}

TEST_CASE("parse keeps every optional field in order, and none when the dash follows options") {
    const auto mounts = parse_mountinfo(
        "40 1 0:50 / /a rw shared:7 master:3 propagate_from:2 unbindable - tmpfs none rw\n"
        "41 1 0:51 / /b rw - tmpfs none rw\n");
    REQUIRE(mounts.size() == 2);
    CHECK(mounts[0].optional_fields ==
          std::vector<std::string>{"shared:7", "master:3", "propagate_from:2", "unbindable"});
    CHECK(mounts[1].optional_fields.empty());
}

TEST_CASE("parse decodes exactly the four kernel escapes") {
    const auto mounts = parse_mountinfo(
        "50 1 0:60 /a\\040b /m\\011t\\012n\\134s rw - tmpfs my\\040src rw,x=\\101\\040\n");
    REQUIRE(mounts.size() == 1);
    CHECK(mounts[0].root == "/a b");
    CHECK(mounts[0].mount_point == "/m\tt\nn\\s");
    CHECK(mounts[0].source == "my src");
    // \101 is a valid octal escape, but the kernel never produces it.
    CHECK(mounts[0].super_options == "rw,x=\\101 ");
}

TEST_CASE("parse treats runs of spaces as one separator but not tabs") {
    const auto mounts = parse_mountinfo("  60   1 0:61 / /t\tx rw  -  tmpfs none rw  \n");
    REQUIRE(mounts.size() == 1);
    CHECK(mounts[0].id == 60);
    CHECK(mounts[0].mount_point == "/t\tx");
    CHECK(mounts[0].super_options == "rw");
}

TEST_CASE("parse joins the remaining fields into the super options with one space") {
    const auto mounts = parse_mountinfo("70 1 0:62 / /f rw - fuse.x src a=1 b=2  c=3\n");
    REQUIRE(mounts.size() == 1);
    CHECK(mounts[0].super_options == "a=1 b=2 c=3");
}

TEST_CASE("parse accepts a last line without newline and an empty text") {
    CHECK(parse_mountinfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw").size() == 1);
    CHECK(parse_mountinfo("").empty());
}

TEST_CASE("parse errors name the line and what is wrong with it") {
    const std::string good = kGood;
    nsr::test::check_errors(
        parse_error,
        {
            // Too few fields; an empty line in the middle has none.
            {good + "2 1 8:1 / /x rw - ext4 /dev/sda1\n",
             "fixture:2: incorrect number of fields, expected at least 10 but found 9"},
            {good + "\n" + good,
             "fixture:2: incorrect number of fields, expected at least 10 but found 0"},
            // The mount ID, parent ID and device number are numbers.
            {good + good + "x2 1 8:1 / /x rw - ext4 /dev/sda1 rw\n",
             "fixture:3: cannot parse mount ID: \"x2\""},
            {"-2 1 8:1 / /x rw - ext4 /dev/sda1 rw\n", "fixture:1: cannot parse mount ID: \"-2\""},
            {good + "2 1a 8:1 / /x rw - ext4 /dev/sda1 rw\n",
             "fixture:2: cannot parse parent mount ID: \"1a\""},
            {good + "2 1 8 / /x rw - ext4 /dev/sda1 rw\n",
             "fixture:2: cannot parse device number: \"8\""},
            {good + good + "2 1 8:1:2 / /x rw - ext4 /dev/sda1 rw\n",
             "fixture:3: cannot parse device number: \"8:1:2\""},
            {"2 1 8:y / /x rw - ext4 /dev/sda1 rw\n",
             "fixture:1: cannot parse device number: \"8:y\""},
            // The optional fields end with a dash, and three fields follow it.
            {good + "2 1 8:1 / /x rw shared:1 ext4 /dev/sda1 rw\n",
             "fixture:2: list of optional fields is not terminated properly"},
            {good + "2 1 8:1 / /x rw shared:1 master:2 - ext4 src\n",
             "fixture:2: incorrect number of tail fields, expected at least 3 but found 2"},
        });
}

TEST_CASE("parse error: the same mount ID twice") {
    CHECK_THROWS_WITH_AS(MountTable::parse(std::string(kGood) + kGood, "fixture"),
                         "fixture:2: duplicate mount ID 1", InputError);
}

TEST_CASE("from_file names the path and the errno text when it cannot read") {
    const std::string path = "/nonexistent-nsr-dir/mountinfo";
    try {
        MountTable::from_file(path);
        FAIL("from_file did not throw");
    } catch (const std::system_error& e) {
        CHECK(e.code().value() == ENOENT);
        const std::string what = e.what();
        CHECK(what.find(path) != std::string::npos);
        CHECK(what.find("No such file or directory") != std::string::npos);
    }
}

TEST_CASE("from_file reads a fixture file and names it in parse errors") {
    char path[] = "/tmp/nsr-mountinfo-test-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    {
        std::ofstream out(path);
        out << kGood << "2 1 0:40 / /tmp rw - tmpfs tmpfs rw\n";
    }
    const MountTable table = MountTable::from_file(path);
    CHECK(table.mounts().size() == 2);
    CHECK(table.top_at("/tmp") == table.by_id(2));
    {
        std::ofstream out(path);
        out << kGood << "2 1 0:40 / /tmp rw\n";
    }
    CHECK_THROWS_WITH_AS(
        MountTable::from_file(path),
        (std::string(path) + ":2: incorrect number of fields, expected at least 10 but found 6")
            .c_str(),
        InputError);
    unlink(path);
}

TEST_CASE("from_self sees this process's root mount") {
    const MountTable table = MountTable::from_self();
    struct stat root_stat {};
    REQUIRE(stat("/", &root_stat) == 0);
    const Mount* root = table.containing("/");
    REQUIRE(root != nullptr);
    CHECK(root->mount_point == "/");
    // A device-less filesystem (btrfs subvolumes, overlay) may report another
    // st_dev than mountinfo, so only compare when it is a block device.
    if (major(root_stat.st_dev) != 0 && root->fstype != "btrfs") {
        CHECK(root->dev() == root_stat.st_dev);
    }
}
