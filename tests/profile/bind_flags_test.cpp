// runc's bind flag rules as x-nsr options: the recursive attributes they
// ask for, whether the bind ends up read-only, and what lint says of them.
#include <doctest/doctest.h>
#include <linux/mount.h>

#include <string>
#include <vector>

#include "profile/bind_flags.hpp"
#include "tests/profile/lint_cases.hpp"

using namespace nsr::profile;
using nsr::profile::test::check_problems;
using Strings = std::vector<std::string>;

namespace {

MountEntry bind(Strings options) {
    return MountEntry{"/src", "/dst", "none", std::move(options)};
}

}  // namespace

TEST_CASE("x-nsr.r* options combine in order, the last one for a flag wins") {
    CHECK(recursive_attrs(bind({"rbind"})).empty());
    CHECK(recursive_attrs(bind({"rbind", "x-nsr.rro", "x-nsr.rnosuid"})) ==
          RecursiveAttrs{MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0});
    CHECK(recursive_attrs(bind({"rbind", "x-nsr.rro", "x-nsr.rrw"})) ==
          RecursiveAttrs{0, MOUNT_ATTR_RDONLY});
    CHECK(recursive_attrs(bind({"rbind", "x-nsr.rrw", "x-nsr.rro"})) ==
          RecursiveAttrs{MOUNT_ATTR_RDONLY, 0});
    // An atime setting clears the whole atime field first.
    CHECK(recursive_attrs(bind({"rbind", "x-nsr.rnoatime"})) ==
          RecursiveAttrs{MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME});
    // Other x-nsr options are not recursive flags.
    CHECK(recursive_attrs(bind({"rbind", "x-nsr.top-flags", "x-nsr.ro"})).empty());
}

TEST_CASE("the flags a fresh bind gets") {
    constexpr uint64_t kSquashfs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_RELATIME;
    constexpr uint64_t kWritable = MOUNT_ATTR_NOSUID | MOUNT_ATTR_RELATIME;
    // Nothing named: the source mount's flags, whatever they are.
    CHECK(bind_attrs(bind({"bind"}), kSquashfs) == kSquashfs);
    CHECK(bind_attrs(bind({"bind", "rw"}), kSquashfs) == kSquashfs);
    CHECK(bind_attrs(bind({"bind"}), kWritable) == kWritable);
    // An access flag named: exactly the access flags named; the atime
    // field stays the source's. A read-only filesystem does not make the
    // mount read-only.
    CHECK(bind_attrs(bind({"bind", "ro"}), kSquashfs) == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_RELATIME));
    CHECK(bind_attrs(bind({"bind", "nosuid"}), kSquashfs) ==
          (MOUNT_ATTR_NOSUID | MOUNT_ATTR_RELATIME));
    CHECK(bind_attrs(bind({"bind", "x-nsr.top-flags"}), kSquashfs) == MOUNT_ATTR_RELATIME);
    // Named atime flags replace the source's.
    CHECK(bind_attrs(bind({"bind", "noatime"}), kSquashfs) ==
          (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME));
    CHECK(bind_attrs(bind({"bind", "ro", "strictatime"}), kWritable) ==
          (MOUNT_ATTR_RDONLY | MOUNT_ATTR_STRICTATIME));
    // The recursive flags come last.
    CHECK(bind_attrs(bind({"rbind", "x-nsr.rro"}), kWritable) == (kWritable | MOUNT_ATTR_RDONLY));
    CHECK(bind_attrs(bind({"rbind", "ro", "x-nsr.rrw"}), 0) == 0);
    // Only the flags that decide what the application sees.
    CHECK(bind_attrs(bind({"bind"}), kWritable | MOUNT_ATTR_IDMAP) == kWritable);
}

TEST_CASE("lint knows the x-nsr options and where they belong") {
    check_problems({
        {"/s /d none rbind,ro,x-nsr.top-flags,x-nsr.rnosuid", {}},
        {"/s /d none bind,x-nsr.rrw,x-nsr.rnostrictatime", {}},
        {"tmpfs /d tmpfs x-nsr.top-flags", {"x-nsr.top-flags is only for bind and rbind entries"}},
        {"tmpfs /d tmpfs x-nsr.rro", {"x-nsr.rro is only for bind and rbind entries"}},
        {"/s /d none bind,x-nsr.rnosymfollow", {"unknown option \"x-nsr.rnosymfollow\""}},
        {"/s /d none bind,x-nsr.topflags", {"unknown option \"x-nsr.topflags\""}},
    });
}
