#include <doctest/doctest.h>

#include "tests/ns/world.hpp"

using nsr::test::read_file;
using nsr::test::run_binary;
using nsr::test::World;

namespace {

nsr::test::Output hook(const std::vector<std::string>& args, const std::string& profile) {
    std::vector<std::string> argv{NSR_SOURCE_DIR "/contrib/nsreconcile-hook"};
    argv.insert(argv.end(), args.begin(), args.end());
    return nsr::test::run(argv, {.input = profile, .env = {"NSRECONCILE=" NSR_BINARY}});
}

}  // namespace

TEST_CASE("contrib hook: connect installs the profile and applies it, disconnect undoes it") {
    World w;
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    const std::string profile = w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0\n";
    auto c = hook({"connect", "demo"}, profile);
    INFO(c.err);
    REQUIRE(c.status == 0);
    CHECK(read_file("/var/lib/nsreconcile/profiles/demo.fstab") == profile);
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", w / "app/data/f"}).out == "1\n");
    CHECK(nsr::test::sh("ls -A /var/lib/nsreconcile/profiles") == "demo.fstab\n");

    auto d = hook({"disconnect", "demo", "--json"}, "");
    INFO(d.err);
    REQUIRE(d.status == 0);
    CHECK(d.out.find("\"action\": \"unmount\"") != std::string::npos);
    CHECK(read_file("/var/lib/nsreconcile/profiles/demo.fstab") == "");
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", w / "app/data/f"}).status != 0);
}

TEST_CASE("contrib hook: an invalid profile changes nothing and exits 2") {
    World w;
    const std::string good = w / "prov/1/lib" + " " + w / "app/data" + " none bind,ro 0 0\n";
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    REQUIRE(hook({"connect", "demo"}, good).status == 0);
    auto c = hook({"connect", "demo"}, good + "relative/src app/data none bind 0 0\n");
    CHECK(c.status == 2);
    CHECK(c.err.find("/var/lib/nsreconcile/profiles/demo.fstab (new):2:") != std::string::npos);
    CHECK(c.err.find("the new profile is invalid; nothing changed") != std::string::npos);
    CHECK(read_file("/var/lib/nsreconcile/profiles/demo.fstab") == good);
    CHECK(nsr::test::sh("ls -A /var/lib/nsreconcile/profiles") == "demo.fstab\n");
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", w / "app/data/f"}).out == "1\n");
    CHECK(hook({"upgrade", "demo"}, good).status == 2);
}
