#include <doctest/doctest.h>

#include "mountinfo/mount_table.hpp"

using nsr::mountinfo::Mount;

TEST_CASE("read_only and has_mount_option match whole per-mount options") {
    Mount m;
    m.mount_options = "rw,nosuid,relatime";
    CHECK_FALSE(m.read_only());
    CHECK(m.has_mount_option("nosuid"));
    CHECK(m.has_mount_option("relatime"));
    CHECK_FALSE(m.has_mount_option("atime"));
    CHECK_FALSE(m.has_mount_option("nosu"));
    m.mount_options = "ro";
    CHECK(m.read_only());
    m.mount_options = "";
    CHECK_FALSE(m.read_only());
}

TEST_CASE("super_option gives the value of key=value, empty for a bare key") {
    Mount m;
    m.super_options = "rw,size=1024k,mode=755,inode64,modex=1";
    CHECK(m.super_option("mode") == "755");
    CHECK(m.super_option("size") == "1024k");
    CHECK(m.super_option("inode64") == "");
    CHECK_FALSE(m.super_option("uid").has_value());
    CHECK_FALSE(m.super_option("mod").has_value());
}
