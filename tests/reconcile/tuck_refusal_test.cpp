// The debug log's reason for a refused MOVE_MOUNT_BENEATH, told apart from
// the mount table (the kernel says EINVAL for all of them).
#include "reconcile/tuck_refusal.hpp"

#include "reconcile/table_mount_view.hpp"

#include <doctest/doctest.h>

#include <cerrno>

namespace nsr::reconcile {

namespace {

// /s is a shared tmpfs (peer group 5); the mounts on it are binds of its
// own directories: d onto itself (its peer), f onto itself (a slave of its
// group), d at e (another directory), and a separate tmpfs at g.
const auto kTable = mountinfo::MountTable::parse(
    "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
    "20 1 0:30 / /s rw shared:5 - tmpfs tmpfs rw\n"
    "21 20 0:30 /d /s/d ro shared:5 - tmpfs tmpfs rw\n"
    "22 20 0:30 /f /s/f ro master:5 - tmpfs tmpfs rw\n"
    "23 20 0:30 /d /s/e ro shared:5 - tmpfs tmpfs rw\n"
    "24 20 0:31 / /s/g rw - tmpfs tmpfs rw\n");

std::string beneath_refusal(const mountinfo::MountTable& table, const std::string& dir, int err) {
    TableMountView view(table);
    return reconcile::beneath_refusal(view, dir, err);
}

}  // namespace

TEST_CASE("beneath refusal: nothing mounted at the directory") {
    CHECK(beneath_refusal(kTable, "/s/d/x", EINVAL) == "/s/d/x is not a mount point");
}

TEST_CASE("beneath refusal: the namespace root") {
    CHECK(beneath_refusal(kTable, "/", EINVAL) == "/ is the root of the namespace");
}

TEST_CASE("beneath refusal: the parent propagates to a peer bound onto itself") {
    CHECK(beneath_refusal(kTable, "/s/d", EINVAL) ==
          "the parent mount at /s propagates to the mount at /s/d (peer group 5), so a mount "
          "beneath would be propagated on top");
}

TEST_CASE("beneath refusal: the parent propagates to a slave bound onto itself") {
    CHECK(beneath_refusal(kTable, "/s/f", EINVAL).starts_with("the parent mount at /s propagates"));
}

TEST_CASE("beneath refusal: a peer whose root is another directory is not that case") {
    CHECK(beneath_refusal(kTable, "/s/e", EINVAL).starts_with("the mount at /s/e is locked"));
}

TEST_CASE("beneath refusal: no case the table shows") {
    CHECK(beneath_refusal(kTable, "/s/g", EINVAL) ==
          "the mount at /s/g is locked (it came from a more privileged namespace), or the "
          "kernel refuses for a reason the mount table does not show");
}

TEST_CASE("beneath refusal: another errno is named as it is") {
    CHECK(beneath_refusal(kTable, "/s/d", ENOSYS) == "Function not implemented");
}

}  // namespace nsr::reconcile
