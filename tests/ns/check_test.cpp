#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/ns/world.hpp"

using nsr::test::run_binary;
using nsr::test::World;

namespace {

// A namespace with a read-only content bind and a tmpfs, applied.
void make_demo(const World& w) {
    w.desire("demo", w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0\n" + "tmpfs " +
                         w / "app/cache" + " tmpfs mode=0700 0 0\n");
    auto c = run_binary({"ns", "create", "demo", "--apply"});
    INFO(c.err);
    REQUIRE(c.status == 0);
}

nsr::test::Output inside(const std::vector<std::string>& cmd) {
    std::vector<std::string> args{"ns", "run", "demo", "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto c = run_binary(args);
    INFO(c.err);
    REQUIRE(c.status == 0);
    return c;
}

}  // namespace

TEST_CASE("check: a namespace just applied is in step (exit 0)") {
    World w;
    make_demo(w);
    auto c = run_binary({"check", "demo"});
    check_output(c, 0, "in step: 2 entries checked\n");
}

TEST_CASE("check: an entry unmounted by hand is missing (exit 1)") {
    World w;
    make_demo(w);
    inside({"umount", w / "app/data"});
    auto c = run_binary({"check", "demo", "--json"});
    CHECK(c.status == 1);
    auto j = nlohmann::json::parse(c.out);
    CHECK(j["in_step"] == false);
    CHECK(j["checked"] == 2);
    CHECK(j["namespace"] == "demo");
    REQUIRE(j["drift"].size() == 1);
    CHECK(j["drift"][0]["kind"] == "missing");
    CHECK(j["drift"][0]["dir"] == w / "app/data");
    CHECK(j["drift"][0]["entry"] == w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0");
}

TEST_CASE("check: another mount in an entry's place differs") {
    World w;
    make_demo(w);
    inside({"umount", w / "app/cache"});
    inside({"mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", w / "app/cache"});
    auto c = run_binary({"check", "demo"});
    CHECK(c.status == 1);
    CHECK(c.out.rfind("~ tmpfs -> " + w / "app/cache" + " (tmpfs", 0) == 0);
    CHECK(c.out.find("mode=755") != std::string::npos);
    CHECK(c.out.find("drifted: 1 different (2 entries checked)\n") != std::string::npos);
}

TEST_CASE("check: a duplicate stacked on a mount point and a stray submount are extra") {
    World w;
    make_demo(w);
    inside({"mount", "--bind", "-o", "ro", w / "prov/1/lib", w / "app/data"});
    inside({"mkdir", w / "app/cache/sub"});
    inside({"mount", "-t", "tmpfs", "stray", w / "app/cache/sub"});
    auto j = nlohmann::json::parse(run_binary({"check", "demo", "--json"}).out);
    REQUIRE(j["drift"].size() == 2);
    CHECK(j["drift"][0]["kind"] == "extra");
    CHECK(j["drift"][0]["dir"] == w / "app/data");
    CHECK(j["drift"][0]["detail"].get<std::string>().find("2 mounts stacked") != std::string::npos);
    CHECK(j["drift"][1]["kind"] == "extra");
    CHECK(j["drift"][1]["dir"] == w / "app/cache/sub");
    CHECK_FALSE(j["drift"][1].contains("entry"));
}

TEST_CASE("check: without a namespace there is nothing to check (exit 0)") {
    World w;
    auto c = run_binary({"check", "nothere"});
    check_output(c, 0, "no mount namespace at /run/nsreconcile/ns/nothere.mnt: nothing to check\n");
}

TEST_CASE("check: a malformed current profile is bad input (exit 2)") {
    World w;
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    nsr::test::write_file("/run/nsreconcile/ns/demo.fstab", "only-two fields\n");
    auto c = run_binary({"check", "demo"});
    CHECK(c.status == 2);
    CHECK(c.err.find("/run/nsreconcile/ns/demo.fstab:1") != std::string::npos);
}
