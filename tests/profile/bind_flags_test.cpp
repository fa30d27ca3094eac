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

TEST_CASE("whether a bind ends up read-only") {
    // Nothing named: the source mount's state.
    CHECK(bind_read_only(bind({"bind"}), true, false));
    CHECK_FALSE(bind_read_only(bind({"bind"}), false, false));
    // ro named, or exactly the flags named with x-nsr.top-flags: a read-only
    // source mount does not matter, a read-only filesystem does.
    CHECK_FALSE(bind_read_only(bind({"bind", "nosuid"}), true, false));
    CHECK_FALSE(bind_read_only(bind({"bind", "x-nsr.top-flags"}), true, false));
    CHECK(bind_read_only(bind({"bind", "x-nsr.top-flags"}), true, true));
    CHECK(bind_read_only(bind({"bind", "ro", "x-nsr.top-flags"}), false, false));
    // The recursive flags come last.
    CHECK(bind_read_only(bind({"rbind", "x-nsr.rro"}), false, false));
    CHECK_FALSE(bind_read_only(bind({"rbind", "ro", "x-nsr.rrw"}), false, false));
    CHECK(bind_read_only(bind({"rbind", "ro", "x-nsr.rrw"}), false, true));
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
