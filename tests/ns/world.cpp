#include "tests/ns/world.hpp"

#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

#include "mountinfo/mount_table.hpp"

namespace nsr::test {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void mount_tmpfs(const std::string& dir) {
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "mode=0755") != 0)
        fail("cannot mount a tmpfs on " + dir);
}

}  // namespace

void check_output(const Output& c, int status, const std::string& out) {
    INFO(c.err);
    CHECK(c.status == status);
    CHECK(c.out == out);
}

std::string sh(const std::string& script) {
    const Output c = run({"/bin/sh", "-ec", script});
    INFO("script: ", script, "\nstderr: ", c.err);
    REQUIRE(c.status == 0);
    return c.out;
}

World::World() {
    mount_tmpfs("/run");
    mount_tmpfs("/var/lib");
    mount_tmpfs(path());
    sh("cd " + path() +
       " && mkdir -p prov/1/lib prov/2/lib app/data app/cache /var/lib/nsreconcile/profiles"
       " && echo 1 > prov/1/lib/f && echo 2 > prov/2/lib/f");
}

World::~World() {
    // Lazily, so a namespace file or a busy mount left by a failed test
    // cannot keep the scratch from going.
    ::umount2(path().c_str(), MNT_DETACH);
    ::umount2("/var/lib", MNT_DETACH);
    ::umount2("/run", MNT_DETACH);
}

void World::desire(const std::string& name, const std::string& fstab) const {
    write_file("/var/lib/nsreconcile/profiles/" + name + ".fstab", fstab);
}

std::vector<std::string> World::mounts_in(const std::string& name) const {
    const Output c = run_binary({"ns", "run", name, "--", "cat", "/proc/self/mountinfo"});
    REQUIRE_MESSAGE(c.status == 0, c.err);
    std::vector<std::string> points;
    const auto table = mountinfo::MountTable::parse(c.out);
    for (const auto& m : table.mounts())
        points.push_back(m.mount_point);
    return points;
}

}  // namespace nsr::test
