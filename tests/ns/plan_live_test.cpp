#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "tests/ns/world.hpp"

using nsr::test::run_binary;
using nsr::test::World;

TEST_CASE("plan NAME reads a live namespace and changes nothing") {
    World w;
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    REQUIRE(::unlink("/run/nsreconcile/lock/demo.lock") == 0);
    const std::string entry = w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0";
    w.desire("demo", entry + "\n");
    const auto before = w.mounts_in("demo");
    auto c = run_binary({"plan", "demo"});
    INFO(c.err);
    CHECK(c.status == 0);
    CHECK(c.out == "+ " + w / "prov/1/lib" + " -> " + w / "app/data" +
                       " (bind, ro)\n"
                       "1 to mount, 0 unchanged\n");
    CHECK(w.mounts_in("demo") == before);
    struct stat st;
    CHECK(::lstat("/run/nsreconcile/ns/demo.fstab", &st) != 0);
    CHECK(::lstat("/run/nsreconcile/lock/demo.lock", &st) != 0);
}

TEST_CASE("plan NAME judges each change against the namespace's mount table") {
    World w;
    const std::string old_entry = w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0";
    w.desire("demo", old_entry + "\n");
    REQUIRE(run_binary({"ns", "create", "demo", "--apply"}).status == 0);
    // The entry is in place: collapsed into the count, listed with --all,
    // and the reason is in the debug log.
    CHECK(run_binary({"plan", "demo"}).out == "nothing to change, 1 unchanged\n");
    const auto all = run_binary({"plan", "demo", "--all", "-v"});
    CHECK(all.out == "  " + w / "prov/1/lib" + " -> " + w / "app/data" +
                         " (bind, ro)\n"
                         "nothing to change, 1 unchanged\n");
    CHECK(all.err.find("debug: keep " + old_entry + ": already done: ") != std::string::npos);

    const std::string new_entry = w / "prov/2/lib" + " " + w / "app/data" + " none bind,ro 0 0";
    w.desire("demo", new_entry + "\n");
    auto j = nlohmann::json::parse(run_binary({"plan", "demo", "--json"}).out);
    REQUIRE(j["changes"].size() == 1);
    CHECK(j["changes"][0]["action"] == "replace");
    CHECK(j["changes"][0]["entry"] == new_entry);
    CHECK(j["changes"][0]["replaces"] ==
          w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro,x-snapd.detach 0 0");
    CHECK(j["changes"][0]["needed"] == true);

    auto snapd_way = nlohmann::json::parse(run_binary({"plan", "demo", "--json", "--no-tuck"}).out);
    REQUIRE(snapd_way["changes"].size() == 2);
    CHECK(snapd_way["changes"][0]["action"] == "unmount");
    CHECK(snapd_way["changes"][1]["action"] == "mount");
}

TEST_CASE("plan takes NAME or --scenario, not both, and needs one") {
    World w;
    CHECK(run_binary({"plan"}).status == 2);
    auto both = run_binary({"plan", "demo", "--scenario", "x.yaml"});
    CHECK(both.status == 2);
    CHECK(both.err.find("either NAME or --scenario") != std::string::npos);
}
