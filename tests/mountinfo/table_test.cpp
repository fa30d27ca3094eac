#include <doctest/doctest.h>
#include <sys/sysmacros.h>

#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "tests/mountinfo/ids.hpp"

using nsr::mountinfo::join_path;
using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;
using nsr::mountinfo::testing::id_of;
using nsr::mountinfo::testing::ids;

namespace {}  // namespace

TEST_CASE(
    "snapd's question: after mount --bind data/foo data/bar and mount --bind data/bar data/froz, "
    "what is at froz?") {
    // A tmpfs on /home/u/data, then the two binds: the kernel records each
    // bind with the root of its source inside the tmpfs, so froz (bound from
    // bar) shows /foo, not /bar.
    const MountTable table = MountTable::parse(
        "20 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
        "30 20 0:47 / /home/u/data rw,relatime shared:2 - tmpfs tmpfs rw,size=1024k\n"
        "31 30 0:47 /foo /home/u/data/bar rw,relatime shared:2 - tmpfs tmpfs rw,size=1024k\n"
        "32 30 0:47 /foo /home/u/data/froz rw,relatime shared:2 - tmpfs tmpfs rw,size=1024k\n");
    const auto foo = table.resolve("/home/u/data/foo");
    REQUIRE(foo.has_value());
    CHECK(foo->mount->id == 30);
    CHECK(foo->mount->fstype == "tmpfs");
    CHECK(foo->path_in_fs == "/foo");
    const Mount* froz = table.top_at("/home/u/data/froz");
    REQUIRE(froz != nullptr);
    CHECK(froz->dev() == makedev(0, 47));
    CHECK(froz->dev() == foo->mount->dev());
    CHECK(froz->root == foo->path_in_fs);
    const Mount* bar = table.top_at("/home/u/data/bar");
    REQUIRE(bar != nullptr);
    CHECK(bar->root == "/foo");
    CHECK(table.by_device(makedev(0, 47)).size() == 3);
}

TEST_CASE("resolve joins the mount's root with the rest of the path") {
    const MountTable table = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "2 1 0:47 / /home/u/data rw - tmpfs tmpfs rw\n"
        "3 1 8:1 /srv/www /var/www rw - ext4 /dev/sda1 rw\n");
    const auto in_tmpfs = table.resolve("/home/u/data/foo");
    REQUIRE(in_tmpfs.has_value());
    CHECK(in_tmpfs->mount->id == 2);
    CHECK(in_tmpfs->path_in_fs == "/foo");
    CHECK(table.resolve("/home/u/data")->path_in_fs == "/");
    CHECK(table.resolve("/")->path_in_fs == "/");
    CHECK(table.resolve("/etc/passwd")->path_in_fs == "/etc/passwd");
    CHECK(table.resolve("/var/www/a/b")->path_in_fs == "/srv/www/a/b");
    CHECK(table.resolve("/var/www")->path_in_fs == "/srv/www");
    // A shared name prefix is not a path prefix.
    CHECK(table.resolve("/var/wwwx")->mount->id == 1);
    CHECK_FALSE(table.resolve("relative/path").has_value());
    CHECK_FALSE(MountTable().resolve("/x").has_value());
}

TEST_CASE("join_path") {
    CHECK(join_path("/", "") == "/");
    CHECK(join_path("/", "a/b") == "/a/b");
    CHECK(join_path("/foo", "") == "/foo");
    CHECK(join_path("/foo", "a") == "/foo/a");
}

TEST_CASE("the top of a stack is the mount nothing sits on, not the last listed") {
    // 21 was moved beneath 20 (MOVE_MOUNT_BENEATH): it is listed later, but
    // 20 sits on it.
    const MountTable table = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "20 21 0:50 / /srv rw - tmpfs top rw\n"
        "21 1 0:51 / /srv rw - tmpfs beneath rw\n");
    CHECK(id_of(table.top_at("/srv")) == 20);
    CHECK(ids(table.stack_at("/srv")) == std::vector<long>{20, 21});
    CHECK(id_of(table.containing("/srv/x")) == 20);
    CHECK(table.stack_at("/nothing").empty());
    CHECK(table.top_at("/nothing") == nullptr);
}

TEST_CASE("a mount whose parent was over-mounted is not visible") {
    // 11 sits on the old /a (10), which 12 covers.
    const MountTable table = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "10 1 0:40 / /a rw - tmpfs old-a rw\n"
        "11 10 0:41 / /a/b rw - tmpfs old-b rw\n"
        "12 10 0:42 / /a rw - tmpfs new-a rw\n");
    CHECK(id_of(table.containing("/a/b")) == 12);
    CHECK(id_of(table.containing("/a/b/c")) == 12);
    CHECK(table.resolve("/a/b/c")->path_in_fs == "/b/c");
    CHECK(ids(table.stack_at("/a")) == std::vector<long>{12, 10});
    // Only a hidden stack at /a/b: it is still reported.
    CHECK(id_of(table.top_at("/a/b")) == 11);
}

TEST_CASE("the visible stack at a mount point comes before a hidden one") {
    // 13 on the new /a is visible; 11 on the covered old /a is listed last.
    const MountTable table = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "10 1 0:40 / /a rw - tmpfs old-a rw\n"
        "12 10 0:42 / /a rw - tmpfs new-a rw\n"
        "13 12 0:43 / /a/b rw - tmpfs new-b rw\n"
        "11 10 0:41 / /a/b rw - tmpfs old-b rw\n"
        "14 13 0:44 / /a/b rw - tmpfs new-b2 rw\n");
    CHECK(ids(table.stack_at("/a/b")) == std::vector<long>{14, 13, 11});
    CHECK(id_of(table.top_at("/a/b")) == 14);
    CHECK(id_of(table.containing("/a/b/c")) == 14);
}

TEST_CASE("the root is the top mount at / even when its parent is not in the table") {
    // After pivot_root, or in a container, the root's parent is not listed.
    const MountTable pivoted = MountTable::parse(
        "100 50 0:30 / / rw - overlay overlay rw\n"
        "101 100 0:31 / /proc rw - proc proc rw\n");
    CHECK(id_of(pivoted.containing("/etc")) == 100);
    CHECK(id_of(pivoted.containing("/proc/self")) == 101);

    const MountTable self_parented = MountTable::parse(
        "1 1 0:2 / / rw - rootfs rootfs rw\n"
        "2 1 0:3 / /x rw - tmpfs tmpfs rw\n");
    CHECK(id_of(self_parented.containing("/x/y")) == 2);
    CHECK(ids(self_parented.stack_at("/")) == std::vector<long>{1});

    // Something mounted over /: the mounts on the old root are hidden.
    const MountTable stacked_root = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "3 1 0:40 / /x rw - tmpfs tmpfs rw\n"
        "2 1 0:9 / / rw - tmpfs newroot rw\n");
    CHECK(id_of(stacked_root.containing("/")) == 2);
    CHECK(id_of(stacked_root.containing("/x/y")) == 2);
    CHECK(ids(stacked_root.stack_at("/")) == std::vector<long>{2, 1});
}

TEST_CASE("containing returns nullptr for an empty table or a relative path") {
    CHECK(MountTable().containing("/") == nullptr);
    const MountTable table = MountTable::parse("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
    CHECK(table.containing("") == nullptr);
    CHECK(table.containing("etc") == nullptr);
    CHECK(id_of(table.containing("/")) == 1);
}

TEST_CASE("children_of and by_device list mounts in table order") {
    const MountTable table = MountTable::parse(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "5 1 0:40 / /z rw - tmpfs a rw\n"
        "3 1 8:1 /srv /b rw - ext4 /dev/sda1 rw\n"
        "4 3 0:41 / /b/c rw - tmpfs b rw\n"
        "6 1 0:40 /sub /a rw - tmpfs a rw\n"
        "7 6 0:42 / /a rw - tmpfs c rw\n");
    CHECK(ids(table.children_of(1)) == std::vector<long>{5, 3, 6});
    CHECK(ids(table.children_of(6)) == std::vector<long>{7});
    CHECK(table.children_of(4).empty());
    CHECK(table.children_of(99).empty());
    CHECK(ids(table.by_device(makedev(0, 40))) == std::vector<long>{5, 6});
    CHECK(ids(table.by_device(makedev(8, 1))) == std::vector<long>{1, 3});
    CHECK(table.by_device(makedev(9, 9)).empty());
    CHECK(id_of(table.by_id(4)) == 4);
    CHECK(table.by_id(99) == nullptr);
}

TEST_CASE("a parent cycle does not hang the queries") {
    const MountTable table = MountTable::parse(
        "1 2 0:40 / / rw - tmpfs a rw\n"
        "2 1 0:41 / / rw - tmpfs b rw\n");
    CHECK(table.containing("/x") != nullptr);
    CHECK(table.stack_at("/").size() == 2);
}

TEST_CASE("the constructor from a list of mounts rejects a duplicate id") {
    Mount m;
    m.id = 4;
    m.mount_point = "/";
    CHECK_THROWS_AS(MountTable(std::vector<Mount>{m, m}), std::invalid_argument);
}
