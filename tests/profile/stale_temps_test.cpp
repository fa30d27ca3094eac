// Temp files of an atomic write that a killed process left behind.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "profile/stale_temps.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scratch.hpp"

using nsr::profile::is_temp_of;
using nsr::profile::remove_stale_temps_at;
using nsr::test::Scratch;
using nsr::test::write_file;

TEST_CASE("is_temp_of recognises NAME.<12 alphanumerics>~ and nothing else") {
    CHECK(is_temp_of("app.fstab.AbCdEf012345~", "app.fstab"));
    CHECK_FALSE(is_temp_of("app.fstab.AbCdEf01234~", "app.fstab"));    // 11
    CHECK_FALSE(is_temp_of("app.fstab.AbCdEf0123456~", "app.fstab"));  // 13
    CHECK_FALSE(is_temp_of("app.fstab.AbCdEf01234-~", "app.fstab"));
    CHECK_FALSE(is_temp_of("app.fstab.AbCdEf012345", "app.fstab"));
    CHECK_FALSE(is_temp_of("xapp.fstab.AbCdEf012345~", "app.fstab"));
    CHECK_FALSE(is_temp_of("app.fstab.AbCdEf012345~", "pp.fstab"));
}

TEST_CASE("remove_stale_temps_at removes NAME's temp files only, and only regular files") {
    Scratch s;
    for (const char* f : {"app.fstab", "app.fstab.AbCdEf012345~", "app.fstab.zzzzzzzzzzzz~",
                          "app.fstab.short~", "other.fstab.AbCdEf012345~", "app.fstab.keep"}) {
        write_file(s / f, "x");
    }
    REQUIRE(::mkdir((s / "app.fstab.DIRECTORY000~").c_str(), 0755) == 0);
    const int dir = ::open(s.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(dir >= 0);
    auto removed = remove_stale_temps_at(dir, "app.fstab", s.path());
    ::close(dir);
    std::sort(removed.begin(), removed.end());
    CHECK(removed ==
          std::vector<std::string>{"app.fstab.AbCdEf012345~", "app.fstab.zzzzzzzzzzzz~"});
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(s.path()))
        left.push_back(e.path().filename());
    std::sort(left.begin(), left.end());
    CHECK(left == std::vector<std::string>{"app.fstab", "app.fstab.DIRECTORY000~", "app.fstab.keep",
                                           "app.fstab.short~", "other.fstab.AbCdEf012345~"});
}
