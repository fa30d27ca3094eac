// runc's flag rules for binds, as x-nsr options applied by the real binary:
// an rbind of R/var/snap/provider/common/tree, whose "inner" is its own
// tmpfs, read-only on the top mount only, on the whole tree, and in
// nsreconcile's own way.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

struct Tree {
    nsr::mountinfo::Mount top;
    nsr::mountinfo::Mount inner;
};

// Applies the rbind of the tree at R/var/snap/foo/common/rtree with
// OPTIONS; returns its top mount and the one of its submount.
Tree apply_rbind(const Sandbox& sb, const std::string& options) {
    const std::string target = sb.path("var/snap/foo/common/rtree");
    sb.set_desired(fstab(
        {sb.path("var/snap/provider/common/tree") + " " + target + " none " + options + " 0 0"}));
    const Output o = sb.apply({"--json"});
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    REQUIRE(o.status == 0);
    const auto mounts = sb.app_mounts();
    const auto top = mounts_at(mounts, target);
    const auto inner = mounts_at(mounts, target + "/inner");
    REQUIRE(top.size() == 1);
    REQUIRE(inner.size() == 1);
    return {top[0], inner[0]};
}

// apply_rbind(), then a re-run that must find it in place; returns "TOP
// INNER" read-only states ("ro rw", ...).
std::string apply_tree(const Sandbox& sb, const std::string& options) {
    const Tree t = apply_rbind(sb, options);
    const Output again = sb.apply({"--json"});
    REQUIRE(again.status == 0);
    const auto report = parse_report(again.out);
    REQUIRE(report.size() == 1);
    CHECK(report[0].outcome == "already done");
    return std::string(t.top.read_only() ? "ro" : "rw") + " " + (t.inner.read_only() ? "ro" : "rw");
}

}  // namespace

TEST_CASE("rbind,ro,x-nsr.top-flags makes the top mount read-only, as runc's ro on an rbind") {
    Sandbox sb;
    CHECK(apply_tree(sb, "rbind,ro,x-nsr.top-flags") == "ro rw");
}

TEST_CASE("rbind,x-nsr.rro makes the whole tree read-only, as runc's rro") {
    Sandbox sb;
    CHECK(apply_tree(sb, "rbind,x-nsr.rro") == "ro ro");
}

TEST_CASE("rbind,ro without x-nsr options: nsreconcile's whole-tree read-only") {
    Sandbox sb;
    CHECK(apply_tree(sb, "rbind,ro") == "ro ro");
}

TEST_CASE("x-nsr.top-flags clears what it does not name; x-nsr.rnosuid sets it everywhere") {
    Sandbox sb;
    const Tree t = apply_rbind(sb, "rbind,noexec,x-nsr.top-flags,x-nsr.rnosuid");
    CHECK(t.top.has_mount_option("noexec"));
    CHECK(t.top.has_mount_option("nosuid"));
    CHECK_FALSE(t.inner.has_mount_option("noexec"));
    CHECK(t.inner.has_mount_option("nosuid"));
}
