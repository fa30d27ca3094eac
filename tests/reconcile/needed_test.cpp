// One test per rule of needed(), each with both verdicts, judged from
// hand-written mountinfo tables.
#include "reconcile/needed.hpp"

#include <unistd.h>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/table_mount_view.hpp"

using nsr::mountinfo::MountTable;
using nsr::profile::MountEntry;
using namespace nsr::reconcile;

namespace {

MountEntry entry(std::string_view line) {
    auto p = nsr::profile::parse_profile(line, "test");
    REQUIRE(p.entries.size() == 1);
    return p.entries.front();
}

Change change(Action action, std::string_view line) {
    return {action, entry(line), std::nullopt};
}

bool is_needed(Action action, std::string_view line, std::string_view table,
               const FsView& fs = TableFsView{}) {
    const MountTable parsed = MountTable::parse(table);
    TableMountView view(parsed);
    const Verdict v = needed(change(action, line), view, fs);
    INFO("verdict reason: ", v.reason);
    CHECK_FALSE(v.reason.empty());
    return v.needed;
}

// A host with two squashfs snaps: provider revision 2 and consumer foo.
const std::string kHost =
    "1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "20 1 7:2 / /snap/prov/2 ro,nodev,relatime shared:2 - squashfs /dev/loop2 ro\n"
    "22 1 7:1 / /snap/foo/1 ro,nodev,relatime shared:4 - squashfs /dev/loop1 ro\n";

const std::string kContent = "/snap/prov/2/lib /snap/foo/1/data none bind,ro 0 0";

// Whether replacing FROM by TO is needed while the provider's lib is
// mounted at /snap/foo/1/data (as a bind or an rbind would show it).
bool replace(std::string_view from, std::string_view to) {
    const MountTable parsed = MountTable::parse(
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n");
    TableMountView view(parsed);
    const Verdict v = needed({Action::Replace, entry(to), entry(from)}, view, TableFsView{});
    INFO("verdict reason: ", v.reason);
    return v.needed;
}

}  // namespace

TEST_CASE("needed: a bind is done when the top at DIR has the source's device and root") {
    // resolve(/snap/prov/2/lib) is (7:2, /lib).
    CHECK_FALSE(is_needed(Action::Mount, kContent,
                          kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs "
                                  "/dev/loop2 ro\n"));
    CHECK(is_needed(Action::Mount, kContent, kHost));
}

TEST_CASE("needed: a bind of another directory of the same filesystem is not the bind") {
    CHECK(is_needed(Action::Mount, kContent,
                    kHost + "30 22 7:2 /share /snap/foo/1/data ro,relatime - squashfs "
                            "/dev/loop2 ro\n"));
}

TEST_CASE("needed: the same directory of another device is not the bind") {
    CHECK(is_needed(Action::Mount, kContent,
                    kHost + "30 22 7:3 /lib /snap/foo/1/data ro,relatime - squashfs "
                            "/dev/loop2 ro\n"));
}

TEST_CASE("needed: a bind must have the access mode the entry asks for") {
    // /srv/data lives on the writable root filesystem.
    const std::string ro_entry = "/srv/data /mnt/data none bind,ro 0 0";
    const std::string rw_entry = "/srv/data /mnt/data none bind 0 0";
    const std::string rw_mount =
        kHost + "30 1 8:1 /srv/data /mnt/data rw,relatime - ext4 /dev/sda1 rw\n";
    const std::string ro_mount =
        kHost + "30 1 8:1 /srv/data /mnt/data ro,relatime - ext4 /dev/sda1 rw\n";
    CHECK_FALSE(is_needed(Action::Mount, ro_entry, ro_mount));
    CHECK(is_needed(Action::Mount, ro_entry, rw_mount));
    CHECK_FALSE(is_needed(Action::Mount, rw_entry, rw_mount));
    CHECK(is_needed(Action::Mount, rw_entry, ro_mount));
}

TEST_CASE("needed: a bind that names no access flag has its source's flags") {
    // Binding out of a read-only squashfs gives its ro,nodev.
    const std::string e = "/snap/prov/2/lib /snap/foo/1/data none bind 0 0";
    CHECK_FALSE(is_needed(
        Action::Mount, e,
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,nodev,relatime - squashfs /dev/loop2 ro\n"));
    CHECK(is_needed(
        Action::Mount, e,
        kHost + "30 22 7:2 /lib /snap/foo/1/data rw,nodev,relatime - squashfs /dev/loop2 ro\n"));
    // bind,rw names no access flag either: a mount made by bind,ro (ro
    // alone) is not it.
    CHECK(is_needed(
        Action::Replace, "/snap/prov/2/lib /snap/foo/1/data none bind,rw 0 0",
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n"));
}

TEST_CASE("needed: a bind that names an access flag gets exactly the flags it names") {
    // The source's mount is read-only but its filesystem is writable: a
    // bind,nosuid is made read-write (as apply makes it), so a read-write
    // mount is the done state.
    const std::string table =
        "1 0 8:1 / / ro,relatime - ext4 /dev/sda1 rw\n"
        "30 1 8:1 /var/lib/x /mnt/x rw,nosuid,relatime - ext4 /dev/sda1 rw\n";
    const std::string ro_table =
        "1 0 8:1 / / ro,relatime - ext4 /dev/sda1 rw\n"
        "30 1 8:1 /var/lib/x /mnt/x ro,nosuid,relatime - ext4 /dev/sda1 rw\n";
    const std::string e = "/var/lib/x /mnt/x none bind,nosuid 0 0";
    CHECK_FALSE(is_needed(Action::Mount, e, table));
    CHECK(is_needed(Action::Mount, e, ro_table));
    // Out of a read-only filesystem (squashfs) too: the mount is rw,nosuid,
    // its filesystem stays read-only.
    const std::string sq = "/snap/prov/2/lib /snap/foo/1/data none bind,nosuid 0 0";
    CHECK_FALSE(is_needed(
        Action::Mount, sq,
        kHost + "30 22 7:2 /lib /snap/foo/1/data rw,nosuid,relatime - squashfs /dev/loop2 ro\n"));
    CHECK(is_needed(
        Action::Mount, sq,
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,nosuid,relatime - squashfs /dev/loop2 ro\n"));
    // bind,ro of a squashfs is ro alone: a mount made by bind or bind,rw
    // (ro,nodev, the source's) is not it.
    CHECK(is_needed(
        Action::Replace, "/snap/prov/2/lib /snap/foo/1/data none bind,ro 0 0",
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,nodev,relatime - squashfs /dev/loop2 ro\n"));
    // A named atime flag is compared too.
    CHECK(is_needed(
        Action::Mount, "/snap/prov/2/lib /snap/foo/1/data none bind,ro,noatime 0 0",
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n"));
}

TEST_CASE("needed: a replacement between bind and rbind of one source is always made") {
    // The top shows the source with the flags either would get: only the
    // mounts below it would tell them apart, and they are not compared.
    const std::string rbind = "/snap/prov/2/lib /snap/foo/1/data none rbind,ro 0 0";
    CHECK(replace(kContent, rbind));
    CHECK(replace(rbind, kContent));
    // Another change of one bind is judged as ever.
    CHECK_FALSE(replace("/snap/prov/2/lib /snap/foo/1/data none bind,ro,nosuid 0 0", kContent));
}

TEST_CASE("needed: an rbind replaced by itself is made again, a bind replaced by itself is not") {
    // The plan replaces a kept rbind by itself only when the mounts below
    // its source changed (reconcile/copy_dependents.cpp): the top is the same
    // either way. The old entry gained x-snapd.detach as an unmount does.
    const std::string rbind = "/snap/prov/2/lib /snap/foo/1/data none rbind,ro 0 0";
    CHECK(replace("/snap/prov/2/lib /snap/foo/1/data none rbind,ro,x-snapd.detach 0 0", rbind));
    CHECK_FALSE(
        replace("/snap/prov/2/lib /snap/foo/1/data none bind,ro,x-snapd.detach 0 0", kContent));
    // An rbind that replaces another rbind of another entry is judged as ever.
    CHECK_FALSE(replace("/snap/prov/2/lib /snap/foo/1/data none rbind,ro,nosuid 0 0", rbind));
}

TEST_CASE("needed: a bind whose source resolves through a nested mount") {
    // /media/usb shows the directory /exported of sdb1, so the source
    // /media/usb/docs is (8:17, /exported/docs), not (8:17, /docs).
    const std::string table = kHost + "40 1 8:17 /exported /media/usb rw - ext4 /dev/sdb1 rw\n";
    const std::string e = "/media/usb/docs /home/u/docs none bind 0 0";
    CHECK_FALSE(
        is_needed(Action::Mount, e,
                  table + "41 1 8:17 /exported/docs /home/u/docs rw - ext4 /dev/sdb1 rw\n"));
    CHECK(is_needed(Action::Mount, e,
                    table + "41 1 8:17 /docs /home/u/docs rw - ext4 /dev/sdb1 rw\n"));
}

TEST_CASE("needed: a mount covered by another at the same dir is looked through") {
    // A mimic tmpfs sits on the layout's bind at /usr/share/foo.
    const std::string layout = "/snap/prov/2/foo /usr/share/foo none rbind,ro 0 0";
    const std::string stacked =
        kHost +
        "30 1 7:2 /foo /usr/share/foo ro,relatime - squashfs /dev/loop2 ro\n"
        "31 30 0:50 / /usr/share/foo rw - tmpfs tmpfs rw,mode=755\n";
    CHECK_FALSE(is_needed(Action::Mount, layout, stacked));
    CHECK_FALSE(is_needed(Action::Keep, layout, stacked));
    CHECK(is_needed(Action::Mount, layout,
                    kHost + "31 1 0:50 / /usr/share/foo rw - tmpfs tmpfs rw,mode=755\n"));
}

TEST_CASE("needed: a replacement is done only when the new mount is on top") {
    const std::string layout = "/snap/prov/2/foo /usr/share/foo none rbind,ro 0 0";
    const std::string covered =
        kHost +
        "30 1 7:2 /foo /usr/share/foo ro,relatime - squashfs /dev/loop2 ro\n"
        "31 30 0:50 / /usr/share/foo rw - tmpfs tmpfs rw,mode=755\n";
    const std::string on_top =
        kHost +
        "31 1 0:50 / /usr/share/foo rw - tmpfs tmpfs rw,mode=755\n"
        "30 31 7:2 /foo /usr/share/foo ro,relatime - squashfs /dev/loop2 ro\n";
    CHECK(is_needed(Action::Replace, layout, covered));
    CHECK_FALSE(is_needed(Action::Replace, layout, on_top));
}

TEST_CASE("needed: a tmpfs is done with the type, source, mode and size the entry sets") {
    const std::string e = "tmpfs /t tmpfs mode=0755,size=1M 0 0";
    CHECK_FALSE(
        is_needed(Action::Mount, e,
                  kHost + "50 1 0:50 / /t rw,relatime - tmpfs tmpfs rw,size=1024k,mode=755\n"));
    CHECK(is_needed(Action::Mount, e,
                    kHost + "50 1 0:50 / /t rw,relatime - tmpfs tmpfs rw,size=1024k,mode=700\n"));
    CHECK(is_needed(Action::Mount, e,
                    kHost + "50 1 0:50 / /t rw,relatime - tmpfs tmpfs rw,size=2048k,mode=755\n"));
    CHECK(is_needed(Action::Mount, e,
                    kHost + "50 1 0:50 / /t rw,relatime - tmpfs none rw,size=1024k,mode=755\n"));
    CHECK(is_needed(Action::Mount, e,
                    kHost + "50 1 0:50 / /t rw,relatime - ramfs tmpfs rw,size=1024k,mode=755\n"));
    CHECK(is_needed(Action::Mount, e, kHost));
}

TEST_CASE("needed: a tmpfs size is compared in pages, in any unit the entry uses") {
    // The kernel rounds the size up to whole pages and shows it in KiB.
    const long page = ::sysconf(_SC_PAGESIZE);
    REQUIRE(page >= 4096);
    const auto shown = [](long bytes) {
        return kHost + "50 1 0:50 / /t rw - tmpfs tmpfs rw,size=" + std::to_string(bytes / 1024) +
               "k\n";
    };
    const auto with_size = [](const std::string& size) {
        return "tmpfs /t tmpfs size=" + size + " 0 0";
    };
    CHECK_FALSE(is_needed(Action::Mount, with_size(std::to_string(2 * page)), shown(2 * page)));
    CHECK_FALSE(is_needed(Action::Mount, with_size(std::to_string(2 * page / 1024) + "k"),
                          shown(2 * page)));
    CHECK_FALSE(is_needed(Action::Mount, with_size(std::to_string(page + 1)), shown(2 * page)));
    CHECK(is_needed(Action::Mount, with_size(std::to_string(page + 1)), shown(page)));
    CHECK(is_needed(Action::Mount, with_size(std::to_string(3 * page)), shown(2 * page)));
    CHECK(is_needed(Action::Mount, with_size("1G"), shown(2 * page)));
}

TEST_CASE("needed: a tmpfs option the kernel leaves out has its default value") {
    // mode 1777, uid 0 and gid 0 are not shown; a size left out is the
    // default (half of RAM), which no small size equals.
    const std::string bare = kHost + "50 1 0:50 / /t rw - tmpfs tmpfs rw,inode64\n";
    CHECK_FALSE(is_needed(Action::Mount, "tmpfs /t tmpfs mode=01777,uid=0,gid=0 0 0", bare));
    CHECK(is_needed(Action::Mount, "tmpfs /t tmpfs mode=0755 0 0", bare));
    CHECK(is_needed(Action::Mount, "tmpfs /t tmpfs uid=1000 0 0", bare));
    CHECK_FALSE(is_needed(Action::Mount, "tmpfs /t tmpfs uid=1000 0 0",
                          kHost + "50 1 0:50 / /t rw - tmpfs tmpfs rw,uid=1000\n"));
    CHECK(is_needed(Action::Mount, "tmpfs /t tmpfs size=1M 0 0", bare));
}

TEST_CASE("needed: other filesystems are matched by type and source") {
    const std::string e = "proc /mnt/proc proc defaults 0 0";
    CHECK_FALSE(is_needed(Action::Mount, e, kHost + "60 1 0:22 / /mnt/proc rw - proc proc rw\n"));
    CHECK(is_needed(Action::Mount, e, kHost + "60 1 0:22 / /mnt/proc rw - sysfs proc rw\n"));
    CHECK(is_needed(Action::Mount, e, kHost + "60 1 0:22 / /mnt/proc rw - proc none rw\n"));
}

TEST_CASE("needed: an overlay must have the directories the entry sets") {
    const std::string e = "overlay /mnt/o overlay lowerdir=/l,upperdir=/u,workdir=/w 0 0";
    CHECK_FALSE(is_needed(
        Action::Mount, e,
        kHost + "70 1 0:60 / /mnt/o rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"));
    CHECK(is_needed(
        Action::Mount, e,
        kHost + "70 1 0:60 / /mnt/o rw - overlay overlay rw,lowerdir=/l,upperdir=/v,workdir=/w\n"));
}

TEST_CASE("needed: a symlink entry is done when DIR is a symlink with the wanted target") {
    const std::string e = "none /opt/l none x-snapd.kind=symlink,x-snapd.symlink=/t 0 0";
    CHECK_FALSE(is_needed(Action::Mount, e, kHost, TableFsView({}, {}, {{"/opt/l", "/t"}})));
    CHECK(is_needed(Action::Mount, e, kHost, TableFsView({}, {}, {{"/opt/l", "/u"}})));
    CHECK(is_needed(Action::Mount, e, kHost, TableFsView({"/opt/l"}, {}, {})));
    CHECK(is_needed(Action::Mount, e, kHost, TableFsView{}));
}

TEST_CASE("needed: an unmount is needed while the entry's mount is at DIR") {
    const TableFsView fs({"/snap/prov/2/lib", "/snap/foo/1/data"}, {}, {});
    const std::string e = "/snap/prov/2/lib /snap/foo/1/data none bind,ro,x-snapd.detach 0 0";
    CHECK(is_needed(
        Action::Unmount, e,
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n", fs));
    CHECK_FALSE(is_needed(Action::Unmount, e, kHost, fs));
    // Something else is mounted there now: not ours to take down.
    CHECK_FALSE(is_needed(
        Action::Unmount, e,
        kHost + "30 22 7:2 /share /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n", fs));
}

TEST_CASE("needed: an unmount of a bind whose source is gone takes what is at DIR") {
    // Without the source there is nothing to compare with.
    const TableFsView fs({"/snap/foo/1/data"}, {}, {});
    const std::string e = "/snap/prov/9/lib /snap/foo/1/data none bind,ro,x-snapd.detach 0 0";
    CHECK(is_needed(
        Action::Unmount, e,
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n", fs));
    CHECK_FALSE(is_needed(Action::Unmount, e, kHost, fs));
}

TEST_CASE("needed: an unmount of a tmpfs is needed while that tmpfs is at DIR") {
    const std::string e = "tmpfs /t tmpfs mode=0755,x-snapd.detach 0 0";
    CHECK(is_needed(Action::Unmount, e, kHost + "50 1 0:50 / /t rw - tmpfs tmpfs rw,mode=755\n"));
    CHECK_FALSE(
        is_needed(Action::Unmount, e, kHost + "50 1 0:50 / /t rw - tmpfs tmpfs rw,mode=700\n"));
    CHECK_FALSE(is_needed(Action::Unmount, e, kHost));
}

TEST_CASE("needed: an unmount of a symlink entry is needed until the symlink is gone") {
    const std::string e = "none /opt/l none x-snapd.kind=symlink,x-snapd.symlink=/t 0 0";
    CHECK(is_needed(Action::Unmount, e, kHost, TableFsView({}, {}, {{"/opt/l", "/t"}})));
    CHECK_FALSE(is_needed(Action::Unmount, e, kHost, TableFsView({"/opt"}, {}, {})));
}

TEST_CASE("needed: ensure-dir entries mount nothing, so there is nothing to unmount") {
    const std::string e =
        "none /home/u/a none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=/home/u 0 0";
    const TableFsView exists({"/home/u/a"}, {}, {});
    CHECK_FALSE(is_needed(Action::Unmount, e, kHost, exists));
    CHECK_FALSE(is_needed(Action::Mount, e, kHost, exists));
    CHECK(is_needed(Action::Mount, e, kHost, TableFsView({"/home/u"}, {}, {})));
}

TEST_CASE("needed: a kept entry is re-checked, except the root filesystem") {
    const std::string bound =
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n";
    CHECK_FALSE(is_needed(Action::Keep, kContent, bound));
    CHECK(is_needed(Action::Keep, kContent, kHost));
    CHECK_FALSE(is_needed(Action::Keep, "tmpfs / tmpfs x-snapd.origin=rootfs 0 0", kHost));
}

TEST_CASE("needed: mount ids and peer groups are not identity") {
    // The same mounts with other ids and other propagation give the same
    // verdicts...
    const std::string a =
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime shared:2 - squashfs /dev/loop2 ro\n";
    const std::string b =
        "101 100 8:1 / / rw,relatime master:9 - ext4 /dev/sda1 rw\n"
        "207 101 7:2 / /snap/prov/2 ro,nodev,relatime - squashfs /dev/loop2 ro\n"
        "203 101 7:1 / /snap/foo/1 ro,nodev,relatime shared:77 - squashfs /dev/loop1 ro\n"
        "305 203 7:2 /lib /snap/foo/1/data ro,relatime master:3 - squashfs /dev/loop2 ro\n";
    CHECK_FALSE(is_needed(Action::Mount, kContent, a));
    CHECK_FALSE(is_needed(Action::Mount, kContent, b));
    // ...and a mount in the source's peer group is not the bind when its
    // device and root differ.
    CHECK(is_needed(
        Action::Mount, kContent,
        kHost + "30 22 7:9 /lib /snap/foo/1/data ro,relatime shared:2 - squashfs /dev/loop2 ro\n"));
}

TEST_CASE("needed: Detail::Quiet gives a kept bind in place no reason, a missing one its reason") {
    const MountTable in_place = MountTable::parse(
        kHost + "30 22 7:2 /lib /snap/foo/1/data ro,relatime - squashfs /dev/loop2 ro\n");
    TableMountView view(in_place);
    const Verdict quiet =
        needed(change(Action::Keep, kContent), view, TableFsView{}, nullptr, Detail::Quiet);
    CHECK_FALSE(quiet.needed);
    CHECK(quiet.reason.empty());
    const Verdict full = needed(change(Action::Keep, kContent), view, TableFsView{});
    CHECK_FALSE(full.needed);
    CHECK(full.reason == "/snap/prov/2/lib is mounted at /snap/foo/1/data (7:2 /lib)");

    const MountTable missing = MountTable::parse(kHost);
    TableMountView empty_view(missing);
    const Verdict gone =
        needed(change(Action::Keep, kContent), empty_view, TableFsView{}, nullptr, Detail::Quiet);
    CHECK(gone.needed);
    CHECK(gone.reason.starts_with("kept entry is missing: "));
}
