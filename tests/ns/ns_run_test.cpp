#include <doctest/doctest.h>
#include <unistd.h>

#include "tests/ns/world.hpp"

using nsr::test::run_binary;
using nsr::test::World;

TEST_CASE("ns run runs the command inside the namespace and passes its exit status on") {
    World w;
    w.desire("demo", w / "prov/2/lib" + " " + w / "app/data" + " none bind,ro 0 0\n");
    REQUIRE(run_binary({"ns", "create", "demo", "--apply"}).status == 0);
    auto cat = run_binary({"ns", "run", "demo", "--", "cat", w / "app/data/f"});
    check_output(cat, 0, "2\n");
    CHECK(run_binary({"ns", "run", "demo", "--", "sh", "-c", "exit 7"}).status == 7);
    char cwd[4096];
    REQUIRE(::getcwd(cwd, sizeof cwd));
    CHECK(run_binary({"ns", "run", "demo", "--", "pwd"}).out == std::string(cwd) + "\n");
}

TEST_CASE("ns run --uid/--gid drops privileges before running the command") {
    World w;
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    CHECK(run_binary({"ns", "run", "demo", "--uid", "65534", "--", "id", "-u"}).out == "65534\n");
    // The user's primary group by default, or the one asked for.
    CHECK(run_binary({"ns", "run", "demo", "--uid", "65534", "--", "id", "-g"}).out == "65534\n");
    CHECK(run_binary({"ns", "run", "demo", "--uid", "65534", "--gid", "4321", "--", "id", "-g"})
              .out == "4321\n");
    CHECK(run_binary({"ns", "run", "demo", "--uid", "65534", "--gid", "4321", "--", "id", "-G"})
              .out == "4321\n");
    auto no_uid = run_binary({"ns", "run", "demo", "--gid", "1", "--", "true"});
    CHECK(no_uid.status == 2);
}

TEST_CASE("ns run reports a missing command, a missing namespace and a missing --") {
    World w;
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    auto missing = run_binary({"ns", "run", "demo", "--", "/no/such/program"});
    CHECK(missing.status == 127);
    CHECK(missing.err.find("cannot run /no/such/program") != std::string::npos);
    auto no_ns = run_binary({"ns", "run", "other", "--", "true"});
    CHECK(no_ns.status == 1);
    CHECK(no_ns.err == "nsreconcile: no mount namespace at /run/nsreconcile/ns/other.mnt\n");
    CHECK(run_binary({"ns", "run", "demo"}).status == 2);
}
