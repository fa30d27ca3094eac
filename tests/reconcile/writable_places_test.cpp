// The writable places of each context and the trespassing check that uses
// them (snapd's trespassing.go rules).
#include "reconcile/writable_places.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>

#include <algorithm>
#include <string>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/table_mount_view.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using nsr::test::Scratch;

namespace {

bool lists(const WritablePlaces& places, const std::string& path) {
    return std::find(places.unrestricted.begin(), places.unrestricted.end(), path) !=
           places.unrestricted.end();
}

}  // namespace

TEST_CASE("snapd's system list names the instance's and the snap's directories") {
    const WritablePlaces p = snapd_system_places("foo_bar");
    for (const char* path : {"/tmp", "/var/snap", "/snap/foo_bar", "/snap/foo", "/dev/shm",
                             "/run/systemd", "/var/lib/snapd/hostfs/tmp"}) {
        CHECK_MESSAGE(lists(p, path), path);
    }
    CHECK(p.check_walked_dirs);
    const Assumptions as(p);
    CHECK(as.mode_for_path("/dev/shm/snap.foo") == 01777);
    CHECK(as.mode_for_path("/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.foo") == 0700);
    CHECK(as.mode_for_path("/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.foo/tmp") == 01777);
    CHECK(as.mode_for_path("/dev/shm/other") == 0755);
    CHECK_FALSE(lists(snapd_system_places("foo"), "/snap/foo_bar"));
}

TEST_CASE("the user list is the real home alone, and the native list checks only writes") {
    CHECK(user_places("/home/u").unrestricted == std::vector<std::string>{"/home/u"});
    CHECK(user_places("").unrestricted.empty());
    const WritablePlaces native = native_places(default_native_writable());
    CHECK(lists(native, "/tmp"));
    CHECK_FALSE(lists(native, "/var/snap"));
    CHECK_FALSE(native.check_walked_dirs);
}

TEST_CASE("is_restricted: everything outside the unrestricted places, / lifts all") {
    const Assumptions as({.unrestricted = {"/srv/data/"}});
    CHECK_FALSE(as.is_restricted("/srv/data"));
    CHECK_FALSE(as.is_restricted("/srv/data/x"));
    CHECK(as.is_restricted("/srv/database"));
    CHECK(as.is_restricted("/srv"));
    CHECK_FALSE(Assumptions({.unrestricted = {"/"}}).is_restricted("/anything"));
}

TEST_CASE("a trespassing write names the directory and the filesystem found there") {
    Scratch s;
    LinuxKernel kernel;
    const auto table = nsr::mountinfo::MountTable::from_self();
    TableMountView view(table);
    const Assumptions as({}, &view);
    const CreateOptions opts = as.create_options(kernel, s / "new/x");
    REQUIRE(opts.check);
    const nsr::base::Fd dir(::open(s.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dir);
    // The filesystem holding the scratch, found independently of the check.
    const auto* holder = table.containing(s.path());
    REQUIRE(holder != nullptr);
    try {
        opts.check(dir.get(), s.path(), s / "new/x");
        FAIL("no trespassing error");
    } catch (const WriteRefused& e) {
        CHECK(e.where() == s.path());
        CHECK(std::string(e.what()) == "cannot write to \"" + s / "new/x" +
                                           "\" because it would affect the host in \"" + s.path() +
                                           "\" (" + holder->fstype + " mounted at \"" +
                                           holder->mount_point + "\")");
    }
    // Without a table, the statfs type alone is named.
    const Assumptions bare;
    CHECK_THROWS_AS(bare.create_options(kernel, s / "new/x").check(dir.get(), s.path(), s / "x"),
                    WriteRefused);
}
