#include <doctest/doctest.h>
#include <sys/sysmacros.h>

#include <random>
#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "tests/mountinfo/ids.hpp"

using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;
using nsr::mountinfo::testing::id_of;
using nsr::mountinfo::testing::ids;

namespace {

Mount tmpfs_at(std::string point, unsigned minor, long id = 0, long parent = 0) {
    Mount m;
    m.id = id;
    m.parent_id = parent;
    m.minor = minor;
    m.root = "/";
    m.mount_point = std::move(point);
    m.fstype = "tmpfs";
    m.source = "tmpfs";
    return m;
}

const char* const kBase =
    "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
    "20 1 0:50 / /srv rw - tmpfs srv rw\n"
    "22 20 0:52 / /srv/sub rw - tmpfs sub rw\n";

}  // namespace

TEST_CASE("add on top stacks onto the visible mount at the mount point") {
    MountTable table = MountTable::parse(kBase);
    const long id = table.add(tmpfs_at("/srv", 60, 0, 1));
    // Fresh ids are negative so they never meet the kernel's.
    CHECK(id == -1);
    CHECK(table.by_id(id)->parent_id == 20);
    CHECK(ids(table.stack_at("/srv")) == std::vector<long>{-1, 20});
    CHECK(id_of(table.containing("/srv/sub/x")) == -1);
    CHECK(table.mounts().back().id == -1);
    CHECK(table.add(tmpfs_at("/srv", 61)) == -2);
    CHECK(ids(table.stack_at("/srv")) == std::vector<long>{-2, -1, 20});
}

TEST_CASE("add elsewhere takes the containing mount as parent, or the caller's") {
    MountTable table = MountTable::parse(kBase);
    table.add(tmpfs_at("/srv/sub/deep", 61, 40));
    CHECK(table.by_id(40)->parent_id == 22);
    CHECK(id_of(table.containing("/srv/sub/deep/x")) == 40);
    table.add(tmpfs_at("/hidden", 62, 41, 20));
    CHECK(table.by_id(41)->parent_id == 20);
    CHECK(id_of(table.containing("/hidden")) == 1);
}

TEST_CASE("add beneath slides the mount under the visible top") {
    MountTable table = MountTable::parse(kBase);
    table.add(tmpfs_at("/srv", 70, 30), true);
    CHECK(table.by_id(30)->parent_id == 1);
    CHECK(table.by_id(20)->parent_id == 30);
    CHECK(id_of(table.top_at("/srv")) == 20);
    CHECK(ids(table.stack_at("/srv")) == std::vector<long>{20, 30});
    CHECK(id_of(table.containing("/srv/sub")) == 22);

    // Detaching the old top uncovers the new mount; the old top's submounts
    // leave with it.
    table.remove(20);
    CHECK(id_of(table.top_at("/srv")) == 30);
    CHECK(id_of(table.containing("/srv/sub")) == 30);
    CHECK(table.by_id(22) == nullptr);
    CHECK(table.stack_at("/srv/sub").empty());
    CHECK(ids(table.children_of(1)) == std::vector<long>{30});
    CHECK(table.by_device(makedev(0, 52)).empty());
}

TEST_CASE("add refuses what the kernel refuses") {
    MountTable table = MountTable::parse(kBase);
    CHECK_THROWS_AS(table.add(tmpfs_at("/nothing-here", 1), true), std::invalid_argument);
    CHECK_THROWS_AS(table.add(tmpfs_at("/", 1), true), std::invalid_argument);
    CHECK_THROWS_AS(table.add(tmpfs_at("/x", 1, 20)), std::invalid_argument);
    CHECK(table.mounts().size() == 3);
}

TEST_CASE("remove of a middle mount lets the one above fall onto the one below") {
    MountTable table = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "10 1 0:40 / /a rw - tmpfs bottom rw\n"
        "11 10 0:41 / /a rw - tmpfs middle rw\n"
        "13 11 0:43 / /a/x rw - tmpfs hidden-x rw\n"
        "12 11 0:42 / /a rw - tmpfs top rw\n"
        "14 12 0:44 / /a/y rw - tmpfs y rw\n"
        "15 1 0:45 / /b rw - tmpfs b rw\n");
    table.remove(11);
    CHECK(table.by_id(11) == nullptr);
    CHECK(table.by_id(13) == nullptr);
    CHECK(table.by_id(12)->parent_id == 10);
    CHECK(ids(table.stack_at("/a")) == std::vector<long>{12, 10});
    CHECK(id_of(table.containing("/a/y/z")) == 14);
    CHECK(ids(table.children_of(10)) == std::vector<long>{12});
    // Survivors keep their order, and their positions are found again.
    std::vector<long> left;
    for (const Mount& m : table.mounts()) {
        left.push_back(m.id);
    }
    CHECK(left == std::vector<long>{1, 10, 12, 14, 15});
    CHECK(table.by_id(15)->mount_point == "/b");
    CHECK(table.by_id(14)->mount_point == "/a/y");
}

TEST_CASE("remove drops the whole subtree and an unknown id throws") {
    MountTable table = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "10 1 0:40 / /a rw - tmpfs a rw\n"
        "11 10 0:40 /x /a/b rw - tmpfs a rw\n"
        "12 11 0:40 /y /a/b/c rw - tmpfs a rw\n"
        "13 1 0:40 /z /d rw - tmpfs a rw\n");
    table.remove(10);
    CHECK(table.mounts().size() == 2);
    CHECK(ids(table.by_device(makedev(0, 40))) == std::vector<long>{13});
    CHECK(id_of(table.containing("/a/b/c")) == 1);
    CHECK(table.children_of(10).empty());
    CHECK_THROWS_AS(table.remove(10), std::out_of_range);
}

namespace {

// What containing() must give, found by scanning every mount at each step
// instead of using the indexes.
long scan_containing(const std::vector<Mount>& mounts, const std::string& path) {
    const auto on = [&](long parent, const std::string& point) {
        long found = 0;
        for (const Mount& m : mounts) {
            if (m.parent_id == parent && m.id != parent && m.mount_point == point) {
                found = m.id;
            }
        }
        return found;
    };
    const auto climb = [&](long id, const std::string& point) {
        for (long above = on(id, point); above != 0; above = on(id, point)) {
            id = above;
        }
        return id;
    };
    long current = climb(1, "/");
    for (size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
        const std::string prefix = path.substr(0, end);
        if (const long child = on(current, prefix); child != 0) {
            current = climb(child, prefix);
        }
        if (end == std::string::npos) {
            return current;
        }
    }
}

}  // namespace

TEST_CASE("indexes agree with a full scan after random adds and removes") {
    MountTable table = MountTable::parse("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
    const std::vector<std::string> points = {"/a", "/a/b", "/a/b/c", "/d", "/d/e", "/a/f"};
    std::mt19937 rng(42);
    for (int step = 0; step < 400; ++step) {
        const std::string& point = points[rng() % points.size()];
        const unsigned action = rng() % 4;
        if (action == 0 && table.mounts().size() > 1) {
            const Mount& victim = table.mounts()[1 + rng() % (table.mounts().size() - 1)];
            table.remove(victim.id);
        } else if (action == 1 && table.top_at(point) != nullptr &&
                   table.containing(point)->mount_point == point) {
            table.add(tmpfs_at(point, static_cast<unsigned>(step)), true);
        } else {
            table.add(tmpfs_at(point, static_cast<unsigned>(step)));
        }
        for (const std::string& probe : points) {
            const std::string path = probe + "/file";
            REQUIRE(id_of(table.containing(path)) == scan_containing(table.mounts(), path));
        }
        for (const Mount& m : table.mounts()) {
            REQUIRE(id_of(table.by_id(m.id)) == m.id);
            size_t kids = 0;
            for (const Mount& other : table.mounts()) {
                kids += other.parent_id == m.id && other.id != m.id;
            }
            REQUIRE(table.children_of(m.id).size() == kids);
        }
    }
}

TEST_CASE("removed mounts stay out of every answer until and after the table is compacted") {
    // 300 mounts, then 200 of them removed one by one with queries between
    // (removals leave their records behind until enough have gone).
    std::string text = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n";
    for (int i = 0; i < 300; ++i) {
        text += std::to_string(10 + i) + " 1 0:" + std::to_string(40 + i) + " / /m" +
                std::to_string(i) + " rw - tmpfs tmpfs rw\n";
    }
    MountTable table = MountTable::parse(text);
    for (int i = 0; i < 200; ++i) {
        table.remove(10 + i);
        const std::string gone = "/m" + std::to_string(i);
        const std::string kept = "/m" + std::to_string(i + 1);
        REQUIRE(table.top_at(gone) == nullptr);
        REQUIRE(id_of(table.containing(gone + "/x")) == 1);
        REQUIRE(id_of(table.top_at(kept)) == 11 + i);
        REQUIRE(table.by_id(10 + i) == nullptr);
        REQUIRE(table.size() == static_cast<size_t>(300 - i));  // the root too
    }
    // A removed id given out again by the kernel is a new mount.
    table.add(tmpfs_at("/m0", 7, 10, 1));
    CHECK(id_of(table.top_at("/m0")) == 10);
    CHECK(table.size() == 102);
    CHECK(table.mounts().size() == 102);
    CHECK(table.mounts().front().id == 1);
    CHECK(table.mounts()[1].mount_point == "/m200");
    CHECK(table.mounts().back().mount_point == "/m0");
    for (const Mount& m : table.mounts())
        CHECK(id_of(table.by_id(m.id)) == m.id);
}
