#include <doctest/doctest.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include "tests/ns/world.hpp"

using nsr::test::run_binary;
using nsr::test::sh;
using nsr::test::World;

TEST_CASE("ns list shows each namespace: alive, entries of its profile, drift") {
    World w;
    w.desire("alpha", w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0\n" + "tmpfs " +
                          w / "app/cache" + " tmpfs mode=0700 0 0\n");
    REQUIRE(run_binary({"ns", "create", "alpha", "--apply"}).status == 0);
    REQUIRE(run_binary({"ns", "create", "beta"}).status == 0);
    // A profile left behind by a namespace whose file is gone.
    nsr::test::write_file("/run/nsreconcile/ns/gamma.fstab",
                          "tmpfs " + w / "app/cache" + " tmpfs defaults 0 0\n");
    // A per-user profile is not a namespace of its own.
    nsr::test::write_file("/run/nsreconcile/ns/alpha.1000.user.fstab", "");

    auto text = run_binary({"ns", "list"});
    INFO(text.err);
    REQUIRE(text.status == 0);
    CHECK(text.out ==
          "NAME                 ALIVE  ENTRIES  STATE\n"
          "alpha                yes    2        in step\n"
          "beta                 yes    0        in step\n"
          "gamma                no     1        -\n");

    REQUIRE(run_binary({"ns", "run", "alpha", "--", "umount", w / "app/cache"}).status == 0);
    auto json = nlohmann::json::parse(run_binary({"ns", "list", "--json"}).out);
    REQUIRE(json["namespaces"].size() == 3);
    CHECK(json["namespaces"][0] == nlohmann::json{{"name", "alpha"},
                                                  {"ns_file", "/run/nsreconcile/ns/alpha.mnt"},
                                                  {"alive", true},
                                                  {"entries", 2},
                                                  {"in_step", false}});
    CHECK(json["namespaces"][2]["alive"] == false);
    CHECK(json["namespaces"][2]["in_step"].is_null());

    // What shell completion asks: the names alone, as a user who may enter
    // none of the namespaces.
    auto names = nsr::test::run_shell("setpriv --reuid=65534 --regid=65534 --clear-groups -- " +
                                      std::string(NSR_BINARY) + " ns list --names");
    check_output(names, 0, "alpha\nbeta\ngamma\n");
}

TEST_CASE("ns list with nothing known prints only the header") {
    World w;
    auto c = run_binary({"ns", "list"});
    check_output(c, 0, "NAME                 ALIVE  ENTRIES  STATE\n");
}

TEST_CASE("ns discard unmounts and removes the namespace file and the current profile") {
    World w;
    w.desire("demo", w / "prov/1/lib" + " " + w / "app/data" + " none bind 0 0\n");
    REQUIRE(run_binary({"ns", "create", "demo", "--apply"}).status == 0);
    // The mount point of a pile a killed run left (reconcile/pile.hpp).
    REQUIRE(::mkdir("/run/nsreconcile/ns/.demo.fstab.pile", 0700) == 0);
    auto c = run_binary({"ns", "discard", "demo"});
    check_output(c, 0, "discarded namespace demo\n");
    struct stat st;
    CHECK(::lstat("/run/nsreconcile/ns/demo.mnt", &st) != 0);
    CHECK(::lstat("/run/nsreconcile/ns/demo.fstab", &st) != 0);
    CHECK(::lstat("/run/nsreconcile/ns/.demo.fstab.pile", &st) != 0);
    CHECK(sh("grep -c demo.mnt /proc/self/mountinfo || true") == "0\n");
    // The desired profile is the package manager's, not ours to remove.
    CHECK(::lstat("/var/lib/nsreconcile/profiles/demo.fstab", &st) == 0);
    auto again = run_binary({"ns", "discard", "demo"});
    check_output(again, 0, "no namespace demo: nothing to discard\n");
}

TEST_CASE("ns discard waits for the lock and gives exit 3 when it is not had in time") {
    World w;
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    auto c = nsr::test::run({"flock", "/run/nsreconcile/lock/demo.lock", NSR_BINARY, "ns",
                             "discard", "demo", "--lock-timeout", "0.2"});
    CHECK(c.status == 3);
    CHECK(c.err.find("timed out") != std::string::npos);
    CHECK(sh("stat -f -c %T /run/nsreconcile/ns/demo.mnt") == "nsfs\n");
}
