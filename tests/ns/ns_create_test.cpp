#include <doctest/doctest.h>

#include <algorithm>

#include "mountinfo/mount_table.hpp"
#include "tests/ns/world.hpp"

using nsr::mountinfo::MountTable;
using nsr::test::run_binary;
using nsr::test::sh;
using nsr::test::World;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

bool is_shared(const nsr::mountinfo::Mount& m) {
    return std::any_of(m.optional_fields.begin(), m.optional_fields.end(),
                       [](const std::string& f) { return f.rfind("shared:", 0) == 0; });
}

}  // namespace

TEST_CASE(
    "ns create binds a live namespace in a private directory mount, even under a shared /run") {
    World w;
    sh("mount --make-shared /run");
    auto c = run_binary({"ns", "create", "demo"});
    INFO(c.err);
    REQUIRE(c.status == 0);
    CHECK(c.out == "created namespace demo at /run/nsreconcile/ns/demo.mnt\n");
    CHECK(sh("stat -f -c %T /run/nsreconcile/ns/demo.mnt") == "nsfs\n");
    auto host = MountTable::from_self();
    const auto* dir = host.top_at("/run/nsreconcile/ns");
    REQUIRE(dir != nullptr);
    CHECK_FALSE(is_shared(*dir));
    // The namespace is another one than ours.
    CHECK(sh("readlink /proc/self/ns/mnt") !=
          run_binary({"ns", "run", "demo", "--", "readlink", "/proc/self/ns/mnt"}).out);
}

TEST_CASE("ns create --propagation slave: host mounts made later appear inside, not the reverse") {
    World w;
    sh("mount --make-shared " + w.scratch());
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    sh("mkdir " + (w / "late") + " && mount -t tmpfs late " + (w / "late"));
    CHECK(has(w.mounts_in("demo"), w / "late"));
    REQUIRE(
        run_binary({"ns", "run", "demo", "--", "mount", "-t", "tmpfs", "inside", w / "app/cache"})
            .status == 0);
    CHECK_FALSE(MountTable::from_self().top_at(w / "app/cache"));
}

TEST_CASE("ns create --propagation private: host mounts made later stay outside") {
    World w;
    sh("mount --make-shared " + w.scratch());
    REQUIRE(run_binary({"ns", "create", "demo", "--propagation", "private"}).status == 0);
    sh("mkdir " + (w / "late") + " && mount -t tmpfs late " + (w / "late"));
    auto inside = w.mounts_in("demo");
    CHECK(has(inside, w.scratch()));
    CHECK_FALSE(has(inside, w / "late"));
}

TEST_CASE("ns create refuses a namespace that exists and leaves it alive") {
    World w;
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    const std::string before =
        run_binary({"ns", "run", "demo", "--", "readlink", "/proc/self/ns/mnt"}).out;
    auto again = run_binary({"ns", "create", "demo"});
    CHECK(again.status == 1);
    CHECK(again.err ==
          "nsreconcile: namespace demo already exists at /run/nsreconcile/ns/demo.mnt\n");
    CHECK(run_binary({"ns", "run", "demo", "--", "readlink", "/proc/self/ns/mnt"}).out == before);
}

TEST_CASE("ns create --apply reconciles the new namespace to its desired profile") {
    World w;
    w.desire("demo", w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0\n");
    auto c = run_binary({"ns", "create", "demo", "--apply"});
    INFO(c.err);
    REQUIRE(c.status == 0);
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", w / "app/data/f"}).out == "1\n");
    CHECK(nsr::test::read_file("/run/nsreconcile/ns/demo.fstab") ==
          w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0\n");
    // Only inside: the host's mount point stays empty.
    CHECK_FALSE(MountTable::from_self().top_at(w / "app/data"));
}

TEST_CASE("ns create succeeds 200 times in a row (pinned bind, retried on EINVAL)") {
    World w;
    int failures = 0;
    std::string last_error;
    for (int i = 0; i < 200; ++i) {
        auto c = run_binary({"ns", "create", "loop"});
        if (c.status != 0) {
            ++failures;
            last_error = c.err;
        }
        REQUIRE(run_binary({"ns", "discard", "loop"}).status == 0);
    }
    INFO(last_error);
    CHECK(failures == 0);
}

TEST_CASE("ns create rejects a bad name or propagation with exit 2 and creates nothing") {
    World w;
    auto bad_prop = run_binary({"ns", "create", "demo", "--propagation", "shared"});
    CHECK(bad_prop.status == 2);
    CHECK(bad_prop.err.find("unknown propagation 'shared'") != std::string::npos);
    auto bad_name = run_binary({"ns", "create", "../x"});
    CHECK(bad_name.status == 2);
    CHECK(bad_name.err.find("invalid namespace name '../x'") != std::string::npos);
    CHECK(sh("ls -A /run") == "");
}
