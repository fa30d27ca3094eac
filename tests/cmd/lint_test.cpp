// `nsreconcile lint` as a user runs it: the real binary on real files.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

using nsr::test::kMerged;
using nsr::test::run_binary;

namespace {

struct TempFile {
    std::string path;
    explicit TempFile(const std::string& text) {
        char tmpl[] = "/tmp/nsr-lint-XXXXXX";
        int fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = tmpl;
        std::ofstream(path) << text;
    }
    ~TempFile() { ::unlink(path.c_str()); }
};

}  // namespace

TEST_CASE("lint accepts a clean profile and exits 0") {
    TempFile f("# content\n/snap/p/1/lib /snap/foo/1/lib none bind,ro 0 0\n");
    auto r = run_binary({"lint", f.path}, kMerged);
    CHECK(r.status == 0);
    CHECK(r.out.empty());
}

TEST_CASE("lint names the file and line of each bad line and exits 2") {
    TempFile f(
        "/snap/p/1/lib /snap/foo/1/lib none bind,ro 0 0\n"
        "only two\n"
        "/a relative/dir none bind 0 0\n"
        "/a /b/../c none bind 0 0\n"
        "none /d none x-snapd.kind=weird 0 0\n");
    auto r = run_binary({"lint", f.path}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out.find(f.path + ":2: ") != std::string::npos);
    CHECK(r.out.find(f.path + ":3: ") != std::string::npos);
    CHECK(r.out.find(f.path + ":4: ") != std::string::npos);
    CHECK(r.out.find(f.path + ":5: ") != std::string::npos);
    CHECK(r.out.find(f.path + ":1: ") == std::string::npos);
}

TEST_CASE("lint reports a missing file and exits 2") {
    auto r = run_binary({"lint", "/nonexistent/profile.fstab"}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out.find("/nonexistent/profile.fstab: cannot read") != std::string::npos);
}
