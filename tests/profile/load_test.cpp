#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "profile/fstab.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scratch.hpp"

using nsr::base::InputError;
using nsr::profile::load_profile;
using nsr::profile::load_profile_at;
using nsr::test::Scratch;

TEST_CASE("load_profile of a missing file is an empty profile") {
    Scratch dir;
    CHECK(load_profile(dir / "absent.fstab").entries.empty());
}

TEST_CASE("load_profile reads and parses the file") {
    Scratch dir;
    nsr::test::write_file(dir / "p.fstab", "# c\n/a /b none bind,ro 0 0\ntmpfs /t tmpfs\n");
    auto p = load_profile(dir / "p.fstab");
    REQUIRE(p.entries.size() == 2);
    CHECK(p.entries[0].options == std::vector<std::string>{"bind", "ro"});
    CHECK(p.entries[1].line == 3);
}

TEST_CASE("load_profile names the path in parse errors") {
    Scratch dir;
    nsr::test::write_file(dir / "p.fstab", "/a /b\n");
    try {
        load_profile(dir / "p.fstab");
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(e.source() == dir / "p.fstab");
        CHECK(std::string(e.what()) == dir / "p.fstab:1: expected between 3 and 6 fields, found 2");
    }
}

TEST_CASE("load_profile reports other I/O errors with errno and the path") {
    Scratch dir;
    const std::string path = dir / "a-directory";
    REQUIRE(mkdir(path.c_str(), 0755) == 0);
    try {
        load_profile(path);
        FAIL("expected a system_error");
    } catch (const std::system_error& e) {
        CHECK(e.code().value() == EISDIR);
        CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
    const std::string under_file = dir / "file";
    nsr::test::write_file(under_file, "");
    CHECK_THROWS_AS(load_profile(under_file + "/x"), std::system_error);
}

TEST_CASE("load_profile_at reads relative to a directory fd and names DISPLAY") {
    Scratch dir;
    nsr::test::write_file(dir / "p.fstab", "/a /b none bind 0 0\n/c\n");
    int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    CHECK(load_profile_at(fd, "absent", "shown").entries.empty());
    try {
        load_profile_at(fd, "p.fstab", "/run/shown.fstab");
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "/run/shown.fstab:2: expected between 3 and 6 fields, found 1");
    }
    nsr::test::write_file(dir / "p.fstab", "/a /b none bind 0 0\n");
    CHECK(load_profile_at(fd, "p.fstab", "x").entries.at(0).name == "/a");
    close(fd);
}
