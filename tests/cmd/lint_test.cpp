// `nsreconcile lint` as a user runs it: the real binary on real files.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

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

TEST_CASE("lint reports a NUL byte, raw or escaped, with PATH:LINE and exits 2") {
    using namespace std::string_literals;
    TempFile f(
        "/snap/p/1/lib /snap/foo/1/lib\0x none bind,ro 0 0\n"
        "/snap/p/1/lib\\000 /snap/foo/1/lib2 none bind,ro 0 0\n"
        "/snap/p/1/lib /snap/foo/1/tab\\011and\\012newline none bind,ro 0 0\n"s);
    auto r = run_binary({"lint", f.path}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out ==
          f.path + ":1: NUL byte in the mount point\n" + f.path + ":2: NUL byte in the source\n");
}

TEST_CASE("lint reports a 300-byte component, which apply would fail on, and exits 2") {
    const std::string dir = "/snap/foo/1/" + std::string(300, 'x');
    TempFile f("/snap/p/1/lib " + dir + " none bind,ro 0 0\n");
    auto r = run_binary({"lint", f.path}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out == f.path + ":1: mount point \"" + dir +
                       "\" has a component longer than 255 bytes (NAME_MAX)\n");
}

TEST_CASE("lint refuses a directory, a device and a FIFO, and reads no endless input") {
    nsr::test::Scratch scratch;
    const std::string dir = scratch.path();
    const std::string fifo = scratch / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    nsr::test::RunOptions bounded = kMerged;
    bounded.timeout_sec = 20;
    auto r = run_binary({"lint", dir, "/dev/zero", fifo}, bounded);
    CHECK_FALSE(r.timed_out);
    CHECK(r.status == 2);
    CHECK(r.out == dir + ": cannot read: it is a directory\n" +
                       "/dev/zero: cannot read: not a regular file\n" + fifo +
                       ": cannot read: not a regular file\n");
}

TEST_CASE("lint reports a missing file and exits 2") {
    auto r = run_binary({"lint", "/nonexistent/profile.fstab"}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out.find("/nonexistent/profile.fstab: cannot read") != std::string::npos);
}
