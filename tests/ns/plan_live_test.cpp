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
    check_output(c, 0,
                 "+ " + w / "prov/1/lib" + " -> " + w / "app/data" +
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

TEST_CASE("plan NAME judges the same whether the kernel is asked or mountinfo is read") {
    World w;
    const std::string kept = w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0";
    const std::string old = w / "prov/1/lib" + " " + w / "app/lib" + " none bind,ro 0 0";
    w.desire("demo", kept + "\n" + old + "\n");
    REQUIRE(run_binary({"ns", "create", "demo", "--apply"}).status == 0);
    // One entry in place, one replaced, one new: every kind of verdict.
    const std::string moved = w / "prov/2/lib" + " " + w / "app/lib" + " none bind,ro 0 0";
    const std::string added = w / "prov/2/lib" + " " + w / "app/new" + " none bind 0 0";
    w.desire("demo", kept + "\n" + moved + "\n" + added + "\n");
    const auto live = run_binary({"plan", "demo", "--json", "--all", "-v"});
    const auto table = run_binary({"plan", "demo", "--json", "--all", "-v"},
                                  {.env = {"NSRECONCILE_MOUNT_SOURCE=mountinfo"}});
    INFO(live.err << table.err);
    REQUIRE(live.status == 0);
    REQUIRE(table.status == 0);
    const std::string whole_table = "reading the whole mount table";
    CHECK(live.err.find(whole_table) == std::string::npos);
    CHECK(table.err.find(whole_table) != std::string::npos);
    const auto changes = nlohmann::json::parse(live.out)["changes"];
    CHECK(changes.size() == 3);
    CHECK(live.out == table.out);
}

TEST_CASE("plan takes NAME or --scenario, not both, and needs one") {
    World w;
    CHECK(run_binary({"plan"}).status == 2);
    auto both = run_binary({"plan", "demo", "--scenario", "x.yaml"});
    CHECK(both.status == 2);
    CHECK(both.err.find("either NAME or --scenario") != std::string::npos);
}
