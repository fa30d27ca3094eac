// One test per rule of plan(): snapd's diff (the rules R1-R10 listed in
// reconcile/plan.hpp) and the tuck fold. Every expected list is written from the rules, by hand.
#include "reconcile/plan.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "profile/fstab.hpp"

using nsr::profile::MountProfile;
using nsr::profile::parse_profile;
using namespace nsr::reconcile;

namespace {

MountProfile profile(std::string_view text) {
    return parse_profile(text, "test");
}

// "ACTION DIR" per change: what happens where, in order.
std::vector<std::string> steps(const std::vector<Change>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes)
        out.push_back(std::string(action_name(c.action)) + " " + c.entry.dir);
    return out;
}

// "ACTION FSTAB-LINE", plus " <- OLD-LINE" for a replace: the whole entries.
std::vector<std::string> lines(const std::vector<Change>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) {
        std::string s = std::string(action_name(c.action)) + " " + c.entry.to_string();
        if (c.replaces)
            s += " <- " + c.replaces->to_string();
        out.push_back(s);
    }
    return out;
}

using Strings = std::vector<std::string>;

const PlanOptions kSnapd{.tuck = false};

// /b changes its source, /k is kept, /a and /c are new: the same change
// planned tucked and as snapd does.
struct Scene {
    TableFsView fs;
    MountProfile current;
    MountProfile desired;
};

Scene one_changed_source() {
    return {TableFsView({"/a", "/b", "/c", "/k"}, {}, {}),
            profile("/k /k none bind 0 0\n"
                    "/s1 /b none bind,ro 0 0\n"),
            profile("/k /k none bind 0 0\n"
                    "/s /c none bind 0 0\n"
                    "/s2 /b none bind,ro 0 0\n"
                    "/s /a none bind 0 0\n")};
}

}  // namespace

TEST_CASE("plan: empty in, empty out") {
    CHECK(plan({}, {}, TableFsView{}).empty());
    CHECK(plan({}, {}, TableFsView{}, kSnapd).empty());
}

TEST_CASE("plan R1: mount points are cleaned lexically") {
    // The two entries differ only in how the dir is spelled, so the current
    // one is reused; the new one is mounted at its cleaned dir.
    const TableFsView fs({"/a/b/c", "/y"}, {}, {});
    const auto changes = plan(profile("/s /a//b/./c/ none bind 0 0\n"),
                              profile("/s /a/b/c none bind 0 0\n"
                                      "/t /x/../y/ none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(lines(changes) == Strings{
                                "keep /s /a/b/c none bind 0 0",
                                "mount /t /y none bind 0 0",
                            });
}

TEST_CASE("plan 4.1: a dir sorts as if it ended with a slash (/a/b-1 before /a/b)") {
    const TableFsView fs({"/a/b/c", "/a/b-1"}, {}, {});
    const auto changes = plan({},
                              profile("/s /a/b/c none bind 0 0\n"
                                      "/s /a/b none bind 0 0\n"
                                      "/s /a/b-1 none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(steps(changes) == Strings{"mount /a/b-1", "mount /a/b", "mount /a/b/c"});
}

TEST_CASE("plan 4.1: overname entries first, layouts last, everything else by dir between") {
    const TableFsView fs({"/a", "/b", "/y", "/z", "/r"}, {}, {});
    const auto changes = plan({},
                              profile("/s /a none bind,x-snapd.origin=layout 0 0\n"
                                      "/s /z none bind 0 0\n"
                                      "/s /y none rbind,x-snapd.origin=overname 0 0\n"
                                      "/s /r none bind,x-snapd.origin=rootfs 0 0\n"
                                      "/s /b none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(steps(changes) == Strings{"mount /y", "mount /b", "mount /r", "mount /z", "mount /a"});
}

TEST_CASE("plan R5.5: identical entries are reused, kept in reverse log order") {
    const TableFsView fs({"/a", "/b"}, {}, {});
    const auto changes = plan(profile("/s /a none bind 0 0\n"
                                      "/s /b none bind,ro 0 0\n"),
                              profile("/s /b none bind,ro 0 0\n"
                                      "/s /a none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(lines(changes) == Strings{
                                "keep /s /b none bind,ro 0 0",
                                "keep /s /a none bind 0 0",
                            });
}

TEST_CASE("plan R5.5: options in a different order make a different entry") {
    const TableFsView fs({"/a"}, {}, {});
    const auto changes =
        plan(profile("/s /a none bind,ro 0 0\n"), profile("/s /a none ro,bind 0 0\n"), fs, kSnapd);
    CHECK(lines(changes) == Strings{
                                "unmount /s /a none bind,ro,x-snapd.detach 0 0",
                                "mount /s /a none ro,bind 0 0",
                            });
}

TEST_CASE("plan R5.1: children of a changed entry are not reused") {
    // /a changes; /a/b and its own child /a/b/c are unchanged but go down
    // and come back with it. /a-b only shares a name prefix and stays.
    const TableFsView fs({"/a/b/c", "/a-b"}, {}, {});
    const auto changes = plan(profile("/old /a none bind 0 0\n"
                                      "/sb /a/b none bind 0 0\n"
                                      "/sc /a/b/c none bind 0 0\n"
                                      "/sx /a-b none bind 0 0\n"),
                              profile("/new /a none bind 0 0\n"
                                      "/sb /a/b none bind 0 0\n"
                                      "/sc /a/b/c none bind 0 0\n"
                                      "/sx /a-b none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(steps(changes) == Strings{
                                "keep /a-b",
                                "unmount /a/b/c",
                                "unmount /a/b",
                                "unmount /a",
                                "mount /a",
                                "mount /a/b",
                                "mount /a/b/c",
                            });
}

TEST_CASE("plan 4.4: a changed child leaves its unchanged parent as keep") {
    const TableFsView fs({"/a/b"}, {}, {});
    const auto changes = plan(profile("/sa /a none bind 0 0\n"
                                      "/old /a/b none bind 0 0\n"),
                              profile("/sa /a none bind 0 0\n"
                                      "/new /a/b none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(lines(changes) == Strings{
                                "unmount /old /a/b none bind,x-snapd.detach 0 0",
                                "keep /sa /a none bind 0 0",
                                "mount /new /a/b none bind 0 0",
                            });
}

TEST_CASE("plan R5.1: an overname child of a changed parent escapes the skip rule") {
    // Overname entries sort first, so the walk meets /snap/foo before /snap
    // has set the prefix to skip.
    const TableFsView fs({"/snap/foo"}, {}, {});
    const auto changes =
        plan(profile("/old /snap none bind 0 0\n"
                     "/snap/foo_bar /snap/foo none rbind,x-snapd.origin=overname 0 0\n"),
             profile("/new /snap none bind 0 0\n"
                     "/snap/foo_bar /snap/foo none rbind,x-snapd.origin=overname 0 0\n"),
             fs, kSnapd);
    CHECK(steps(changes) == Strings{"keep /snap/foo", "unmount /snap", "mount /snap"});
}

TEST_CASE("plan R5.6: a changed entry at / takes everything else with it") {
    const TableFsView fs({"/x"}, {}, {});
    const auto changes = plan(profile("tmpfs / tmpfs mode=0755 0 0\n"
                                      "/s /x none bind 0 0\n"),
                              profile("tmpfs / tmpfs mode=0700 0 0\n"
                                      "/s /x none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(steps(changes) == Strings{"unmount /x", "unmount /", "mount /", "mount /x"});
}

TEST_CASE("plan R5.3: rootfs entries are never touched") {
    // Not desired any more, yet kept; and it does not drag /x along.
    const TableFsView fs({"/x"}, {}, {});
    const auto changes = plan(profile("tmpfs / tmpfs x-snapd.origin=rootfs 0 0\n"
                                      "/s /x none bind 0 0\n"),
                              profile("/s /x none bind 0 0\n"), fs, kSnapd);
    CHECK(lines(changes) == Strings{
                                "keep /s /x none bind 0 0",
                                "keep tmpfs / tmpfs x-snapd.origin=rootfs 0 0",
                            });
}

TEST_CASE("plan R5.4: synthetic entries kept while needed-by is desired") {
    // The layout changes its source; the mimic it needed stays.
    const std::string mimic =
        "tmpfs /usr/share tmpfs x-snapd.synthetic,x-snapd.needed-by=/usr/share/foo,mode=0755 0 0\n"
        "/usr/share/a /usr/share/a none "
        "rbind,x-snapd.synthetic,x-snapd.needed-by=/usr/share/foo,x-snapd.detach 0 0\n";
    const TableFsView fs({"/usr/share/a", "/usr/share/foo"}, {}, {});
    const auto changes = plan(
        profile(mimic + "/snap/x/1/foo /usr/share/foo none rbind,x-snapd.origin=layout 0 0\n"),
        profile("/snap/x/2/foo /usr/share/foo none rbind,x-snapd.origin=layout 0 0\n"), fs, kSnapd);
    CHECK(steps(changes) == Strings{
                                "unmount /usr/share/foo",
                                "keep /usr/share/a",
                                "keep /usr/share",
                                "mount /usr/share/foo",
                            });
}

TEST_CASE("plan R5.4: synthetic entries go when their needed-by is not desired any more") {
    const TableFsView fs({"/usr/share/a", "/usr/share/foo"}, {}, {});
    const auto changes = plan(
        profile("tmpfs /usr/share tmpfs x-snapd.synthetic,x-snapd.needed-by=/usr/share/foo 0 0\n"
                "/usr/share/a /usr/share/a none "
                "rbind,x-snapd.synthetic,x-snapd.needed-by=/usr/share/foo,x-snapd.detach 0 0\n"
                "/snap/x/1/foo /usr/share/foo none rbind,x-snapd.origin=layout 0 0\n"),
        {}, fs, kSnapd);
    CHECK(lines(changes) ==
          Strings{
              "unmount /snap/x/1/foo /usr/share/foo none "
              "rbind,x-snapd.origin=layout,x-snapd.detach 0 0",
              "unmount /usr/share/a /usr/share/a none "
              "rbind,x-snapd.synthetic,x-snapd.needed-by=/usr/share/foo,x-snapd.detach 0 0",
              "unmount tmpfs /usr/share tmpfs "
              "x-snapd.synthetic,x-snapd.needed-by=/usr/share/foo,x-snapd.detach 0 0",
          });
}

TEST_CASE("plan R4: needed-by names the entry's x-snapd.id when it has one") {
    // The owner is known by its id, not its dir: after the layout moves to
    // another dir under the same id, the mimic still belongs to it.
    const TableFsView fs({"/opt/foo", "/opt/bar"}, {}, {});
    const auto changes =
        plan(profile("tmpfs /opt tmpfs x-snapd.synthetic,x-snapd.needed-by=L 0 0\n"
                     "/snap/x/1/foo /opt/foo none rbind,x-snapd.id=L,x-snapd.origin=layout 0 0\n"),
             profile("/snap/x/1/foo /opt/bar none rbind,x-snapd.id=L,x-snapd.origin=layout 0 0\n"),
             fs, kSnapd);
    CHECK(steps(changes) == Strings{"unmount /opt/foo", "keep /opt", "mount /opt/bar"});
}

TEST_CASE("plan 4.4: a mimic stays even when its owner changed from symlink to rbind") {
    const TableFsView fs({"/opt"}, {}, {{"/opt/foo", "/snap/x/1/foo"}});
    const auto changes = plan(
        profile("tmpfs /opt tmpfs x-snapd.synthetic,x-snapd.needed-by=/opt/foo 0 0\n"
                "none /opt/foo none "
                "x-snapd.kind=symlink,x-snapd.symlink=/snap/x/1/foo,x-snapd.origin=layout 0 0\n"),
        profile("/snap/x/1/foo /opt/foo none rbind,rw,x-snapd.origin=layout 0 0\n"), fs, kSnapd);
    CHECK(lines(changes) ==
          Strings{
              "unmount none /opt/foo none "
              "x-snapd.kind=symlink,x-snapd.symlink=/snap/x/1/foo,x-snapd.origin=layout 0 0",
              "keep tmpfs /opt tmpfs x-snapd.synthetic,x-snapd.needed-by=/opt/foo 0 0",
              "mount /snap/x/1/foo /opt/foo none rbind,rw,x-snapd.origin=layout 0 0",
          });
}

TEST_CASE("plan: reuse is keyed by mount point and type, so a nested mimic goes with its owner") {
    // /usr/share/foo holds two mimic entries: a bind-back of the outer
    // mimic (owner L1, still desired) and the tmpfs of an inner mimic (owner
    // L2, gone). Keyed by dir alone (snapd 2.57) they would share the first
    // one's verdict and the stale inner tmpfs would stay.
    const TableFsView fs({"/usr/share/foo/l2", "/usr/share/l1"}, {}, {});
    const auto changes = plan(
        profile("tmpfs /usr/share tmpfs x-snapd.synthetic,x-snapd.needed-by=L1 0 0\n"
                "/usr/share/foo /usr/share/foo none "
                "rbind,x-snapd.synthetic,x-snapd.needed-by=L1,x-snapd.detach 0 0\n"
                "tmpfs /usr/share/foo tmpfs x-snapd.synthetic,x-snapd.needed-by=L2 0 0\n"
                "/snap/a/1/l1 /usr/share/l1 none rbind,x-snapd.id=L1,x-snapd.origin=layout 0 0\n"
                "/snap/a/1/l2 /usr/share/foo/l2 none "
                "rbind,x-snapd.id=L2,x-snapd.origin=layout 0 0\n"),
        profile("/snap/a/1/l1 /usr/share/l1 none rbind,x-snapd.id=L1,x-snapd.origin=layout 0 0\n"),
        fs, kSnapd);
    REQUIRE(steps(changes) == Strings{
                                  "unmount /usr/share/foo/l2",
                                  "keep /usr/share/l1",
                                  "unmount /usr/share/foo",
                                  "keep /usr/share/foo",
                                  "keep /usr/share",
                              });
    CHECK(changes[2].entry.type == "tmpfs");
    CHECK(changes[3].entry.type == "none");
}

TEST_CASE("plan: a new mount at the dir of a synthetic entry replaces it, with what is in it") {
    // snapd 2.57 (R7) would keep the mimic tmpfs for its owner and count
    // the new bind at /usr/share as present. The bind would cover the
    // mimic: the mimic, and the layout in it, are made again over the bind.
    const TableFsView fs({"/usr/share/foo"}, {}, {});
    const auto changes = plan(
        profile("tmpfs /usr/share tmpfs x-snapd.synthetic,x-snapd.needed-by=/usr/share/foo 0 0\n"
                "/snap/x/1/foo /usr/share/foo none rbind,x-snapd.origin=layout 0 0\n"),
        profile("/snap/x/1/foo /usr/share/foo none rbind,x-snapd.origin=layout 0 0\n"
                "/snap/p/1/share /usr/share none bind,ro 0 0\n"),
        fs, kSnapd);
    CHECK(steps(changes) == Strings{"unmount /usr/share/foo", "unmount /usr/share",
                                    "mount /usr/share", "mount /usr/share/foo"});
}

// An rbind copies what is mounted at and below its source when it is made;
// a mimic copies what is below its directory. A run makes them where a
// fresh apply of the desired profile does (the mount order, R8), and
// around them takes down and makes again the kept entries a fresh apply
// makes on the other side of them. The table of facts is the fresh
// namespace's (reconcile/pristine_fs_view.hpp): no mount point nsreconcile
// created is in it.
TEST_CASE("plan: a kept mount below a new rbind's source, made after it afresh, is made again") {
    const TableFsView fs({"/base", "/v/common"}, {}, {});
    const std::string tree = "/p/tree /v/common/tree none bind,rw 0 0";
    const std::string data = "/v/common /base/data none bind,rw,x-snapd.origin=layout 0 0";
    const std::string rdata = "/v/common /base/data none rbind,rw,x-snapd.origin=layout 0 0";
    // The rbind's group (/base) sorts before the tree's (/v/common): a fresh
    // apply makes the rbind first. The tree is unmounted first and mounted
    // after it, not folded into a replace placed after the rbind.
    CHECK(lines(plan(profile(data + "\n" + tree + "\n"), profile(tree + "\n" + rdata + "\n"),
                     fs)) == Strings{
                                 "unmount /p/tree /v/common/tree none bind,rw,x-snapd.detach 0 0",
                                 "replace " + rdata + " <- " +
                                     "/v/common /base/data none "
                                     "bind,rw,x-snapd.origin=layout,x-snapd.detach 0 0",
                                 "mount " + tree,
                             });
    // The same with a new rbind, and as snapd's plan (no fold).
    CHECK(steps(plan(profile(tree + "\n"), profile(tree + "\n" + rdata + "\n"), fs, kSnapd)) ==
          Strings{"unmount /v/common/tree", "mount /base/data", "mount /v/common/tree"});
    // A plain bind copies nothing: the tree stays.
    CHECK(steps(plan(profile(tree + "\n"), profile(tree + "\n" + data + "\n"), fs, kSnapd)) ==
          Strings{"keep /v/common/tree", "mount /base/data"});
}

TEST_CASE("plan: a kept mount below a new rbind's source, made before it afresh, stays") {
    // The tree's mount point exists afresh (R8.2): a fresh apply mounts it
    // before the rbind, which copies it, as the kept one is copied.
    const TableFsView fs({"/base", "/v/common/tree"}, {}, {});
    const std::string tree = "/p/tree /v/common/tree none bind,rw 0 0";
    const std::string rdata = "/v/common /base/data none rbind,rw,x-snapd.origin=layout 0 0";
    CHECK(steps(plan(profile(tree + "\n"), profile(tree + "\n" + rdata + "\n"), fs, kSnapd)) ==
          Strings{"keep /v/common/tree", "mount /base/data"});
}

TEST_CASE("plan: a kept rbind is made again when what it copied from its source changes") {
    const TableFsView fs({"/v/common", "/p/tree/inner"}, {}, {});
    const std::string rtree = "/p/tree /v/common/tree none rbind,rw 0 0";
    const std::string inner = "/s/lib /p/tree/inner none bind,ro 0 0";
    const std::string rtree_detach = "/p/tree /v/common/tree none rbind,rw,x-snapd.detach 0 0";
    // A new mount below the source, made before the rbind afresh (its
    // mount point exists): the rbind is replaced by itself after it.
    CHECK(lines(plan(profile(rtree + "\n"), profile(rtree + "\n" + inner + "\n"), fs)) ==
          Strings{"mount " + inner, "replace " + rtree + " <- " + rtree_detach});
    // A mount below the source goes: the rbind's copy of it would stay.
    CHECK(lines(plan(profile(inner + "\n" + rtree + "\n"), profile(rtree + "\n"), fs)) ==
          Strings{"unmount /s/lib /p/tree/inner none bind,ro,x-snapd.detach 0 0",
                  "replace " + rtree + " <- " + rtree_detach});
    // Nothing below the source changes: the rbind is kept.
    const std::string other = "/s/lib /v/common/lib none bind,ro 0 0";
    CHECK(steps(plan(profile(rtree + "\n"), profile(rtree + "\n" + other + "\n"), fs)) ==
          Strings{"keep /v/common/tree", "mount /v/common/lib"});
}

TEST_CASE("plan: a kept inner mimic is made again after a new outer mimic") {
    // /base/share has a mimic for the layout at /base/share/cache; a new
    // layout at /base/x may need a mimic over /base, whose recursive
    // bind-back of share would copy the inner mimic. Afresh, /base's group
    // sorts first: the outer mimic is made first, the inner one over it.
    const TableFsView fs({"/base/share"}, {"/base/share/doc"}, {});
    const std::string mimic =
        "tmpfs /base/share tmpfs x-snapd.synthetic,x-snapd.needed-by=/base/share/cache 0 0";
    const std::string cache = "tmpfs /base/share/cache tmpfs x-snapd.origin=layout 0 0";
    const std::string x = "/s/x /base/x none bind,x-snapd.origin=layout 0 0";
    CHECK(steps(plan(profile(mimic + "\n" + cache + "\n"), profile(x + "\n" + cache + "\n"), fs,
                     kSnapd)) == Strings{"unmount /base/share/cache", "unmount /base/share",
                                         "mount /base/x", "mount /base/share/cache"});
    // With a mimic over /base kept, no new one is made: both stay.
    const std::string outer = "tmpfs /base tmpfs x-snapd.synthetic,x-snapd.needed-by=/base/y 0 0";
    const std::string y = "/s/y /base/y none bind,x-snapd.origin=layout 0 0";
    CHECK(steps(plan(profile(outer + "\n" + y + "\n" + mimic + "\n" + cache + "\n"),
                     profile(x + "\n" + y + "\n" + cache + "\n"), fs, kSnapd)) ==
          Strings{"keep /base/share/cache", "keep /base/share", "keep /base/y", "keep /base",
                  "mount /base/x"});
}

TEST_CASE("plan: a kept mimic is made again when a mount it copied below its dir changes") {
    // A mimic over /base for the layout file /base/f binds back share,
    // recursively. A bind at /base/share, whose mount point exists, is made
    // before the mimic afresh (R8.2): the bind-back copies it. So when it
    // comes, changes or goes, the mimic and what is in it come down and
    // are made again after it.
    const TableFsView fs({"/base/share"}, {"/base/conf", "/base/share/doc"}, {});
    const std::string owner = "x-snapd.synthetic,x-snapd.needed-by=/base/f";
    const std::string mimic = "tmpfs /base tmpfs " + owner + ",mode=0751 0 0\n" +
                              "/base/conf /base/conf none bind,x-snapd.kind=file," + owner +
                              " 0 0\n" + "/base/share /base/share none rbind," + owner +
                              ",x-snapd.detach 0 0\n";
    const std::string f = "/s/f /base/f none bind,ro,x-snapd.kind=file,x-snapd.origin=layout 0 0\n";
    const std::string share1 = "/p/1/lib /base/share none bind,ro 0 0\n";
    const std::string share2 = "/p/2/lib /base/share none bind,ro 0 0\n";
    const Strings remade{"unmount /base/f", "unmount /base/share", "unmount /base/conf",
                         "unmount /base",   "mount /base/share",   "mount /base/f"};
    // It comes.
    CHECK(steps(plan(profile(mimic + f), profile(share1 + f), fs)) == remade);
    // It changes: its unmount comes last, after the mimic's.
    CHECK(steps(plan(profile(share1 + mimic + f), profile(share2 + f), fs)) ==
          Strings{"unmount /base/f", "unmount /base/share", "unmount /base/conf", "unmount /base",
                  "unmount /base/share", "mount /base/share", "mount /base/f"});
    // It goes. The kept bind-back at its dir does not keep it: a synthetic
    // entry is keyed apart from a mount of the same dir and type.
    CHECK(steps(plan(profile(share1 + mimic + f), profile(f), fs)) ==
          Strings{"unmount /base/f", "unmount /base/share", "unmount /base/conf", "unmount /base",
                  "unmount /base/share", "mount /base/f"});
    // It stays: so does the mimic.
    CHECK(steps(plan(profile(share1 + mimic + f), profile(share1 + f), fs)) ==
          Strings{"keep /base/f", "keep /base/share", "keep /base/conf", "keep /base",
                  "keep /base/share"});
    // A layout that needs the mimic changes: the mimic stays (R5.4).
    const std::string g = "/s/g /base/g none bind,ro,x-snapd.kind=file,x-snapd.origin=layout 0 0\n";
    CHECK(steps(plan(profile(share1 + mimic + f), profile(share1 + f + g), fs)) ==
          Strings{"keep /base/f", "keep /base/share", "keep /base/conf", "keep /base",
                  "keep /base/share", "mount /base/g"});
}

TEST_CASE("plan R3: with a duplicate dir, reuse compares with the last desired entry") {
    // Sorted, the plain entry comes before the layout, so the layout is the
    // one the current entry is compared with (not equal: not reused), and
    // the plain entry is the one mounted (first for its dir).
    const TableFsView fs({"/d"}, {}, {});
    const auto changes = plan(profile("/s2 /d none bind 0 0\n"),
                              profile("/s1 /d none bind,x-snapd.origin=layout 0 0\n"
                                      "/s2 /d none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(lines(changes) == Strings{
                                "unmount /s2 /d none bind,x-snapd.detach 0 0",
                                "mount /s2 /d none bind 0 0",
                            });
}

TEST_CASE("plan R8: of several desired entries with one dir, only the first sorted is mounted") {
    const TableFsView fs({"/d"}, {}, {});
    const auto changes = plan({},
                              profile("/s1 /d none bind 0 0\n"
                                      "/s2 /d none rbind,x-snapd.origin=overname 0 0\n"
                                      "/s3 /d none bind,x-snapd.origin=layout 0 0\n"),
                              fs, kSnapd);
    CHECK(lines(changes) == Strings{"mount /s2 /d none rbind,x-snapd.origin=overname 0 0"});
}

TEST_CASE("plan R6: unmounts in reverse log order") {
    const TableFsView fs({"/a", "/b", "/c"}, {}, {});
    const auto changes = plan(profile("/s /c none bind 0 0\n"
                                      "/s /a none bind 0 0\n"
                                      "/s /b none bind 0 0\n"),
                              {}, fs, kSnapd);
    CHECK(steps(changes) == Strings{"unmount /b", "unmount /a", "unmount /c"});
}

TEST_CASE("plan R6: x-snapd.detach added for tmpfs/bind/rbind unmounts (and only once)") {
    const TableFsView fs({"/t", "/b", "/r", "/d", "/sys2", "/e"}, {}, {{"/l", "/x"}});
    const auto changes = plan(profile("tmpfs /t tmpfs mode=0755 0 0\n"
                                      "/s /b none bind,ro 0 0\n"
                                      "/s /r none rbind 0 0\n"
                                      "/s /d none bind,x-snapd.detach 0 0\n"
                                      "sysfs /sys2 sysfs defaults 0 0\n"
                                      "none /l none x-snapd.kind=symlink,x-snapd.symlink=/x 0 0\n"
                                      "/s /e none x-bind 0 0\n"),
                              {}, fs, kSnapd);
    CHECK(lines(changes) == Strings{
                                "unmount /s /e none x-bind 0 0",
                                "unmount none /l none x-snapd.kind=symlink,x-snapd.symlink=/x 0 0",
                                "unmount sysfs /sys2 sysfs defaults 0 0",
                                "unmount /s /d none bind,x-snapd.detach 0 0",
                                "unmount /s /r none rbind,x-snapd.detach 0 0",
                                "unmount /s /b none bind,ro,x-snapd.detach 0 0",
                                "unmount tmpfs /t tmpfs mode=0755,x-snapd.detach 0 0",
                            });
}

TEST_CASE("plan R8: three-phase mount order") {
    // Overname first even when its target is missing; then entries whose
    // target exists (by origin and dir); then those that need a mimic,
    // group by group: the layout in the /e group comes before the plain
    // entry of the /m group.
    const TableFsView fs({"/b", "/z", "/e", "/m"}, {}, {});
    const auto changes =
        plan({},
             profile("/s /m/x/new none bind 0 0\n"
                     "/s /e/new none bind,x-snapd.origin=layout 0 0\n"
                     "/s /z none bind,x-snapd.origin=layout 0 0\n"
                     "/s /b none bind 0 0\n"
                     "/snap/foo_bar /snap/foo none rbind,x-snapd.origin=overname 0 0\n"),
             fs, kSnapd);
    CHECK(steps(changes) == Strings{
                                "mount /snap/foo",
                                "mount /b",
                                "mount /z",
                                "mount /e/new",
                                "mount /m/x/new",
                            });
}

TEST_CASE("plan R8.3: mimic groups sorted bytewise, parents before children") {
    // Mimic dirs /a/b and /a/b-1: bytewise /a/b comes first (the slash rule
    // would put /a/b-1 first). Inside the /a/b group: by origin, then dir.
    const TableFsView fs({"/a/b", "/a/b-1"}, {}, {});
    const auto changes = plan({},
                              profile("/s /a/b-1/x none bind 0 0\n"
                                      "/s /a/b/a none bind,x-snapd.origin=layout 0 0\n"
                                      "/s /a/b/y/z none bind 0 0\n"
                                      "/s /a/b/y none bind 0 0\n"),
                              fs, kSnapd);
    CHECK(steps(changes) == Strings{
                                "mount /a/b/y",
                                "mount /a/b/y/z",
                                "mount /a/b/a",
                                "mount /a/b-1/x",
                            });
}

TEST_CASE("plan R8.2: what counts as an existing target depends on the kind") {
    // A dir mount point through a symlink to a directory exists; a regular
    // file does not serve a dir mount; a file mount point only has to exist;
    // a symlink entry needs a symlink there; ensure-dir always counts.
    const TableFsView fs({"/real", "/q"}, {"/m/file", "/a/regular"},
                         {{"/m/dirlink", "/real"}, {"/b/sym", "/t"}});
    const auto changes =
        plan({},
             profile("/s /m/dirlink none bind 0 0\n"
                     "/s /m/file none bind,x-snapd.kind=file 0 0\n"
                     "none /m/sym none x-snapd.kind=symlink,x-snapd.symlink=/t 0 0\n"
                     "none /b/sym none x-snapd.kind=symlink,x-snapd.symlink=/t 0 0\n"
                     "none /q/ens none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=/q 0 0\n"
                     "/s /a/regular none bind 0 0\n"),
             fs, kSnapd);
    CHECK(steps(changes) == Strings{
                                "mount /b/sym",
                                "mount /m/dirlink",
                                "mount /m/file",
                                "mount /q/ens",
                                "mount /a/regular",
                                "mount /m/sym",
                            });
}

TEST_CASE("plan 4.3: worked example, mimic dirs sorted bytewise") {
    const TableFsView fs({"/snap/test-snapd-layout/x1", "/usr/lib/x86_64-linux-gnu", "/var"}, {},
                         {});
    const auto desired = profile(
        "/snap/l/x1/a /snap/test-snapd-layout/x1/fooo/deeper none rbind,x-snapd.origin=layout 0 0\n"
        "/snap/l/x1/b /var/fooo/deeper none rbind,x-snapd.origin=layout 0 0\n"
        "/snap/l/x1/c /usr/lib/x86_64-linux-gnu/wpe-webkit-1.0 none "
        "rbind,x-snapd.origin=layout 0 0\n"
        "/snap/l/x1/d /var/fooo-top none rbind,x-snapd.origin=layout 0 0\n"
        "/snap/l/x1/e /usr/libexec/wpe-webkit-1.0 none rbind,x-snapd.origin=layout 0 0\n"
        "/snap/l/x1/f /snap/test-snapd-layout/x1/fooo-top none rbind,x-snapd.origin=layout 0 0\n");
    CHECK(steps(plan({}, desired, fs, kSnapd)) ==
          Strings{
              "mount /snap/test-snapd-layout/x1/fooo-top",
              "mount /snap/test-snapd-layout/x1/fooo/deeper",
              "mount /usr/libexec/wpe-webkit-1.0",
              "mount /usr/lib/x86_64-linux-gnu/wpe-webkit-1.0",
              "mount /var/fooo-top",
              "mount /var/fooo/deeper",
          });

    // With /usr/libexec present its mimic dir is /usr/libexec, which sorts
    // after /usr/lib/x86_64-linux-gnu.
    const TableFsView with_libexec(
        {"/snap/test-snapd-layout/x1", "/usr/lib/x86_64-linux-gnu", "/usr/libexec", "/var"}, {},
        {});
    CHECK(steps(plan({}, desired, with_libexec, kSnapd)) ==
          Strings{
              "mount /snap/test-snapd-layout/x1/fooo-top",
              "mount /snap/test-snapd-layout/x1/fooo/deeper",
              "mount /usr/lib/x86_64-linux-gnu/wpe-webkit-1.0",
              "mount /usr/libexec/wpe-webkit-1.0",
              "mount /var/fooo-top",
              "mount /var/fooo/deeper",
          });
}

TEST_CASE("plan tuck: unmount X + mount Y at one dir become one replace, where the mount was") {
    const Scene c = one_changed_source();
    CHECK(lines(plan(c.current, c.desired, c.fs)) ==
          Strings{
              "keep /k /k none bind 0 0",
              "mount /s /a none bind 0 0",
              "replace /s2 /b none bind,ro 0 0 <- /s1 /b none bind,ro,x-snapd.detach 0 0",
              "mount /s /c none bind 0 0",
          });
}

TEST_CASE("plan tuck: tuck=false gives snapd's plan (unmount, then mount)") {
    const Scene c = one_changed_source();
    CHECK(lines(plan(c.current, c.desired, c.fs, kSnapd)) ==
          Strings{
              "unmount /s1 /b none bind,ro,x-snapd.detach 0 0",
              "keep /k /k none bind 0 0",
              "mount /s /a none bind 0 0",
              "mount /s2 /b none bind,ro 0 0",
              "mount /s /c none bind 0 0",
          });
}

TEST_CASE("plan tuck: children of the replaced entry are unmounted first and mounted after") {
    // /a/b is unchanged and /a/c changed, but both sit on the mount that /a
    // replaces: they come down before it and go up again after it.
    const TableFsView fs({"/a/b", "/a/c"}, {}, {});
    const auto changes = plan(profile("/old /a none bind 0 0\n"
                                      "/sb /a/b none bind 0 0\n"
                                      "/c1 /a/c none bind 0 0\n"),
                              profile("/new /a none bind 0 0\n"
                                      "/sb /a/b none bind 0 0\n"
                                      "/c2 /a/c none bind 0 0\n"),
                              fs);
    CHECK(lines(changes) ==
          Strings{
              "unmount /c1 /a/c none bind,x-snapd.detach 0 0",
              "unmount /sb /a/b none bind,x-snapd.detach 0 0",
              "replace /new /a none bind 0 0 <- /old /a none bind,x-snapd.detach 0 0",
              "mount /sb /a/b none bind 0 0",
              "mount /c2 /a/c none bind 0 0",
          });
}

TEST_CASE("plan tuck: a changed child of a kept parent is replaced") {
    const TableFsView fs({"/a/b"}, {}, {});
    const auto changes = plan(profile("/sa /a none bind 0 0\n"
                                      "/old /a/b none bind 0 0\n"),
                              profile("/sa /a none bind 0 0\n"
                                      "/new /a/b none bind 0 0\n"),
                              fs);
    CHECK(lines(changes) ==
          Strings{
              "keep /sa /a none bind 0 0",
              "replace /new /a/b none bind 0 0 <- /old /a/b none bind,x-snapd.detach 0 0",
          });
}

TEST_CASE("plan tuck: file binds and filesystem mounts fold too") {
    const TableFsView fs({"/t"}, {"/etc/foo.conf"}, {});
    const auto changes = plan(profile("/s1/foo.conf /etc/foo.conf none bind,x-snapd.kind=file 0 0\n"
                                      "tmpfs /t tmpfs mode=0755 0 0\n"),
                              profile("/s2/foo.conf /etc/foo.conf none bind,x-snapd.kind=file 0 0\n"
                                      "tmpfs /t tmpfs mode=0700 0 0\n"),
                              fs);
    CHECK(steps(changes) == Strings{"replace /etc/foo.conf", "replace /t"});
}

TEST_CASE("plan tuck: no fold for symlink entries") {
    const TableFsView fs({"/d"}, {}, {{"/l", "/t1"}, {"/m", "/t"}});
    SUBCASE("symlink to symlink") {
        const auto changes =
            plan(profile("none /l none x-snapd.kind=symlink,x-snapd.symlink=/t1 0 0\n"),
                 profile("none /l none x-snapd.kind=symlink,x-snapd.symlink=/t2 0 0\n"), fs);
        CHECK(steps(changes) == Strings{"unmount /l", "mount /l"});
    }
    SUBCASE("symlink to bind") {
        const auto changes =
            plan(profile("none /m none x-snapd.kind=symlink,x-snapd.symlink=/t 0 0\n"),
                 profile("/s /m none bind 0 0\n"), fs);
        CHECK(steps(changes) == Strings{"unmount /m", "mount /m"});
    }
    SUBCASE("bind to symlink") {
        const auto changes =
            plan(profile("/s /d none bind 0 0\n"),
                 profile("none /d none x-snapd.kind=symlink,x-snapd.symlink=/t 0 0\n"), fs);
        CHECK(steps(changes) == Strings{"unmount /d", "mount /d"});
    }
}

TEST_CASE("plan tuck: no fold for ensure-dir entries") {
    const TableFsView fs({"/home/u/a"}, {}, {});
    SUBCASE("ensure-dir to ensure-dir") {
        const auto changes = plan(
            profile(
                "none /home/u/a none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=/home 0 0\n"),
            profile("none /home/u/a none "
                    "x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=/home/u 0 0\n"),
            fs);
        CHECK(steps(changes) == Strings{"unmount /home/u/a", "mount /home/u/a"});
    }
    SUBCASE("ensure-dir to bind") {
        const auto changes = plan(
            profile(
                "none /home/u/a none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=/home 0 0\n"),
            profile("/s /home/u/a none bind 0 0\n"), fs);
        CHECK(steps(changes) == Strings{"unmount /home/u/a", "mount /home/u/a"});
    }
}

TEST_CASE("plan tuck: no fold when more than one mount at the dir comes down") {
    // A layout and the tmpfs of a mimic at one dir: one replace could only
    // swap the top of the two.
    const TableFsView fs({"/opt/x"}, {}, {});
    const auto changes =
        plan(profile("/snap/a/1/x /opt/x none rbind,x-snapd.origin=layout 0 0\n"
                     "tmpfs /opt/x tmpfs x-snapd.synthetic,x-snapd.needed-by=/opt/x/y 0 0\n"),
             profile("/snap/p/1/x /opt/x none bind 0 0\n"), fs);
    CHECK(steps(changes) == Strings{"unmount /opt/x", "unmount /opt/x", "mount /opt/x"});
}

TEST_CASE("plan tuck: an overlay keeping its upper or work dir is unmounted right before") {
    // Two overlays sharing either dir cannot both be live, so the new one
    // cannot go beneath the old: the old one's unmount moves from the
    // unmounts at the start to right before the new one's mount.
    const TableFsView fs({"/m", "/k", "/a2", "/z"}, {}, {});
    const std::string keep = "/sk /k none bind 0 0\n";
    const std::string before = "/sa /a2 none bind 0 0\n";
    const std::string later = "/sz /z none bind 0 0\n";
    for (const auto& [old_pair, new_pair] :
         {std::pair<std::string, std::string>{"upperdir=/u,workdir=/w", "upperdir=/u,workdir=/w"},
          {"upperdir=/u,workdir=/w", "upperdir=/u,workdir=/w2"},
          {"upperdir=/u,workdir=/w", "upperdir=/u2,workdir=/w"},
          {"upperdir=/u,workdir=/w,volatile", "upperdir=/u/,workdir=/w,volatile"}}) {
        CAPTURE(old_pair);
        CAPTURE(new_pair);
        const std::string old_entry = "overlay /m overlay lowerdir=/a," + old_pair + " 0 0";
        const std::string new_entry = "overlay /m overlay lowerdir=/b:/a," + new_pair + " 0 0";
        const auto current = profile(keep + old_entry + "\n");
        const auto desired = profile(keep + before + new_entry + "\n" + later);
        CHECK(lines(plan(current, desired, fs)) == Strings{
                                                       "keep /sk /k none bind 0 0",
                                                       "mount /sa /a2 none bind 0 0",
                                                       "unmount " + old_entry,
                                                       "mount " + new_entry,
                                                       "mount /sz /z none bind 0 0",
                                                   });
        CHECK(steps(plan(current, desired, fs, kSnapd)) ==
              Strings{"unmount /m", "keep /k", "mount /a2", "mount /m", "mount /z"});
    }
    // Another pair, or none on either side: a replace.
    for (const auto& [old_pair, new_pair] :
         {std::pair<std::string, std::string>{",upperdir=/u,workdir=/w",
                                              ",upperdir=/u2,workdir=/w2"},
          {",upperdir=/u,workdir=/w", ""},
          {"", ",upperdir=/u,workdir=/w"}}) {
        CAPTURE(old_pair);
        CAPTURE(new_pair);
        const auto changes =
            plan(profile("overlay /m overlay lowerdir=/a" + old_pair + " 0 0\n"),
                 profile("overlay /m overlay lowerdir=/b" + new_pair + " 0 0\n"), fs);
        CHECK(steps(changes) == Strings{"replace /m"});
    }
}

TEST_CASE("plan: a relative mount point gets planned, not searched for forever") {
    // Validation rejects relative paths before apply; the planner must still
    // stop walking up at "." (plan --scenario, a corrupt current profile).
    const TableFsView fs({"/a"}, {}, {});
    const auto changes = plan(profile("/s1 foo/bar none bind 0 0\n"),
                              profile("/s2 foo/bar none bind 0 0\n"
                                      "/s foo/baz/x none bind 0 0\n"),
                              fs);
    CHECK(lines(changes) ==
          Strings{
              "replace /s2 foo/bar none bind 0 0 <- /s1 foo/bar none bind,x-snapd.detach 0 0",
              "mount /s foo/baz/x none bind 0 0",
          });
}
