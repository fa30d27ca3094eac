// A bind entry whose flags change while its source stays: the mount must
// end up with the flags a fresh apply of the new entry gives, whichever
// way the change goes, and a re-run must find it in place.
#include <doctest/doctest.h>

#include <linux/mount.h>

#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

// The flags the application sees at DIR (one mount there), as mountinfo
// spells the access ones.
std::string flags_at(const Sandbox& sb, const std::string& dir) {
    const auto at = mounts_at(sb.app_mounts(), dir);
    REQUIRE(at.size() == 1);
    const uint64_t a = at[0].attrs();
    std::string s = a & MOUNT_ATTR_RDONLY ? "ro" : "rw";
    if (a & MOUNT_ATTR_NOSUID)
        s += ",nosuid";
    if (a & MOUNT_ATTR_NODEV)
        s += ",nodev";
    return s;
}

void apply_ok(const Sandbox& sb, const std::string& desired) {
    sb.set_desired(desired);
    const Output o = sb.apply();
    INFO(o.out << o.err);
    REQUIRE(o.status == 0);
}

}  // namespace

TEST_CASE("a bind changing between rw, ro and nosuid gets the flags a fresh apply gives") {
    Sandbox sb;
    // The provider is a squashfs in the application's eyes: ro,nodev.
    const std::string src = sb.path("snap/provider/2/lib");
    REQUIRE(sb.app({"mount", "-o", "remount,bind,ro,nodev", sb.path("snap/provider/2")}).status ==
            0);
    const std::string dir = sb.path("var/snap/foo/common/data");
    auto entry = [&](const std::string& options) {
        return fstab({src + " " + dir + " none " + options + " 0 0"});
    };

    // Naming no access flag keeps the source's flags.
    apply_ok(sb, entry("bind,rw"));
    CHECK(flags_at(sb, dir) == "ro,nodev");
    // ro alone, as snapd's read-only remount leaves it.
    apply_ok(sb, entry("bind,ro"));
    CHECK(flags_at(sb, dir) == "ro");
    apply_ok(sb, entry("bind,rw"));
    CHECK(flags_at(sb, dir) == "ro,nodev");
    // The mount is read-write, its filesystem read-only; a re-run finds it
    // in place rather than stacking another copy.
    apply_ok(sb, entry("bind,nosuid"));
    CHECK(flags_at(sb, dir) == "rw,nosuid");
    sb.check_rerun_finds_all_done(1, "keep");
    CHECK(flags_at(sb, dir) == "rw,nosuid");
}
