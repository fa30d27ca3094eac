// The file facts of scenario files.
#include "reconcile/fs_view.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "reconcile/pristine_fs_view.hpp"

using nsr::reconcile::FileType;
using nsr::reconcile::PristineFsView;
using nsr::reconcile::TableFsView;

TEST_CASE("an empty table of facts still has the root and the working directory") {
    const TableFsView fs;
    CHECK(fs.stat("/") == FileType::Directory);
    CHECK(fs.stat(".") == FileType::Directory);
    CHECK(fs.stat("/etc") == FileType::Missing);
}

TEST_CASE("the parents of a listed path are directories") {
    const TableFsView fs({"/snap/foo/1/lib"}, {"/etc/app.conf"}, {{"/usr/lib/x", "/snap/foo/1/x"}});
    for (const char* dir :
         {"/snap", "/snap/foo", "/snap/foo/1", "/snap/foo/1/lib", "/etc", "/usr", "/usr/lib"}) {
        CHECK_MESSAGE(fs.lstat(dir) == FileType::Directory, dir);
    }
    CHECK(fs.lstat("/etc/app.conf") == FileType::Regular);
    CHECK(fs.lstat("/usr/lib/x") == FileType::Symlink);
    CHECK(fs.stat("/usr/lib/x") == FileType::Missing);
    CHECK(fs.readlink("/usr/lib/x") == "/snap/foo/1/x");
}

// snapd's diff accepts relative mount points (they fail only when applied),
// and walks up from them until it finds a directory; "." ends that walk.
TEST_CASE("a relative path climbs to the working directory") {
    const TableFsView fs({"var/lib/app"}, {}, {});
    CHECK(fs.lstat("var/lib/app") == FileType::Directory);
    CHECK(fs.lstat("var/lib") == FileType::Directory);
    CHECK(fs.lstat("var") == FileType::Directory);
    CHECK(fs.lstat(".") == FileType::Directory);
    CHECK(fs.lstat("/var") == FileType::Missing);
}

TEST_CASE("the pristine view hides what nsreconcile created, and everything below it") {
    const TableFsView live({"/var/snap/foo/common/tree/inner", "/base/share"}, {"/base/foo.conf"},
                           {{"/base/tool", "/base/conf"}});
    const std::set<std::string> created = {"/var/snap/foo/common/tree", "/base/foo.conf",
                                           "/base/tool"};
    const PristineFsView fs(live, [&](const std::string& p) { return created.count(p) != 0; });
    CHECK(fs.stat("/var/snap/foo/common") == FileType::Directory);
    CHECK(fs.stat("/var/snap/foo/common/tree") == FileType::Missing);
    CHECK(fs.lstat("/var/snap/foo/common/tree/inner") == FileType::Missing);
    CHECK(fs.stat("/base/foo.conf") == FileType::Missing);
    CHECK(fs.lstat("/base/tool") == FileType::Missing);
    CHECK(fs.readlink("/base/tool").empty());
    CHECK(fs.stat("/base/share") == FileType::Directory);
    // Without a record of what was created, it is the live view.
    const PristineFsView unknown(live, {});
    CHECK(unknown.stat("/var/snap/foo/common/tree") == FileType::Directory);
    CHECK(unknown.readlink("/base/tool") == "/base/conf");
}
