// The native layout's writable places: the configuration file's list, mount
// points made below a tmpfs the profile mounted, and a trespassing error
// that names the filesystem it found.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "tests/ns/world.hpp"

using nsr::test::run_binary;
using nsr::test::sh;
using nsr::test::World;

namespace {

// Creates namespace "demo" and applies DESIRED with the configuration
// file CONFIG (a `writable:` list).
nsr::test::Output apply_with(const World& w, const std::string& config,
                             const std::string& desired) {
    nsr::test::write_file(w / "config.yaml", config);
    w.desire("demo", desired);
    REQUIRE(run_binary({"ns", "create", "demo"}).status == 0);
    return run_binary({"apply", "demo", "-v", "--config", w / "config.yaml"}, nsr::test::kMerged);
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

TEST_CASE("native layout: outside the writable places a mimic keeps the host untouched") {
    World w;
    // The scratch is a tmpfs, but not one the profile mounted.
    const auto o = apply_with(w, "writable: []\n",
                              w / "prov/1/lib " + w / "app/new/lib" + " none bind,ro 0 0\n");
    INFO(o.out);
    CHECK(o.status == 0);
    // The debug log says why, naming the filesystem found.
    CHECK(o.out.find("cannot write to \"" + w / "app/new/lib" +
                     "\" because it would affect the host in \"" + w / "app" +
                     "\" (tmpfs mounted at \"" + w.scratch() + "\")") != std::string::npos);
    CHECK(o.out.find("+ mimic at " + w / "app" + " (tmpfs") != std::string::npos);
    CHECK_FALSE(is_dir(w / "app/new"));
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", w / "app/new/lib/f"}).out == "1\n");
}

TEST_CASE("native layout: a mount point below a tmpfs the profile mounted is made") {
    World w;
    const auto o = apply_with(w, "writable: []\n",
                              "tmpfs " + w / "app/data" + " tmpfs mode=0755 0 0\n" +
                                  w / "prov/1/lib " + w / "app/data/lib" + " none bind,ro 0 0\n");
    INFO(o.out);
    CHECK(o.status == 0);
    CHECK(o.out.find("mimic") == std::string::npos);
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", w / "app/data/lib/f"}).out == "1\n");
    // Made inside the namespace's tmpfs, not in the scratch the host sees.
    CHECK_FALSE(is_dir(w / "app/data/lib"));
}

TEST_CASE("native layout: the configuration's writable places may be written to") {
    World w;
    const auto o = apply_with(w, "writable: [" + w / "app" + "]\n",
                              w / "prov/1/lib " + w / "app/new/lib" + " none bind,ro 0 0\n");
    INFO(o.out);
    CHECK(o.status == 0);
    CHECK(o.out.find("mimic") == std::string::npos);
    CHECK(is_dir(w / "app/new/lib"));
    CHECK(run_binary({"ns", "run", "demo", "--", "cat", w / "app/new/lib/f"}).out == "1\n");
}
