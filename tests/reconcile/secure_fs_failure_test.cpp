// Every kernel call a creation makes is failed in turn: each failure must
// surface as an exception that names a path on the way and carries the
// errno, and must leave nothing of the creation behind.
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

#include "base/fd.hpp"
#include "reconcile/secure_fs.hpp"
#include "tests/reconcile/fake_kernel.hpp"
#include "tests/support/scratch.hpp"

namespace fs = std::filesystem;
using namespace nsr::reconcile;
using nsr::base::Fd;
using nsr::test::Scratch;

namespace {

using Op = std::function<void(SecureFs&, const CreateOptions&)>;

// The first quoted string in WHAT.
std::string first_quoted(const std::string& what) {
    auto open = what.find('"');
    if (open == std::string::npos)
        return "";
    auto close = what.find('"', open + 1);
    return close == std::string::npos ? "" : what.substr(open + 1, close - open - 1);
}

// Runs OP once cleanly to count its calls, then once per call with that
// call failing; TARGET is the path OP creates, TOP the first directory it
// creates, which must be gone after every failure.
void fail_each_call(const Scratch& s, const std::string& target, const std::string& top,
                    const Op& op) {
    CreateOptions opts;
    opts.uid = ::geteuid();
    opts.gid = ::getegid();
    size_t n = 0;
    {
        FakeKernel k;
        SecureFs sfs(k);
        op(sfs, opts);
        n = k.calls().size();
        fs::remove_all(top);
    }
    REQUIRE(n > 0);
    for (size_t i = 0; i < n; ++i) {
        FakeKernel k;
        k.fail_at(i, EIO);
        SecureFs sfs(k);
        std::string what;
        try {
            op(sfs, opts);
        } catch (const std::exception& e) {
            what = e.what();
        }
        CAPTURE(i);
        CAPTURE(k.calls()[i].name);
        CAPTURE(k.calls()[i].path);
        CHECK(k.failed());
        REQUIRE_MESSAGE(!what.empty(), "no exception");
        CHECK(what.find(std::strerror(EIO)) != std::string::npos);
        const std::string named = first_quoted(what);
        CAPTURE(what);
        CHECK(!named.empty());
        CHECK(target.rfind(named, 0) == 0);
        CHECK_FALSE(fs::exists(fs::symlink_status(top)));
        CHECK(fs::is_empty(s.path()));
    }
}

}  // namespace

TEST_CASE("FakeKernel records calls and fails only the one asked for") {
    Scratch s;
    FakeKernel k;
    SecureFs sfs(k);
    Fd fd;
    // One openat2 when it works; when it fails, the component walk decides
    // (and its second call fails here).
    k.fail_at(3, EACCES);
    CHECK(sfs.try_open_path(s.path(), fd) == 0);
    CHECK_FALSE(k.failed());
    REQUIRE(k.calls().size() == 1);
    CHECK(k.calls()[0].name == "openat2");
    CHECK(k.calls()[0].path == s.path());
    CHECK(sfs.try_open_path(s.path() + "/missing", fd) == -EACCES);
    CHECK(k.failed());
    REQUIRE(k.calls().size() == 4);
    CHECK(k.calls()[1].name == "openat2");
    CHECK(k.calls()[2].name == "openat");
    CHECK(k.calls()[2].path == "/");
    CHECK(k.calls()[3].path == fs::path(s.path()).relative_path().begin()->string());
}

TEST_CASE("without openat2 (ENOSYS) paths are walked one component at a time from then on") {
    Scratch s;
    FakeKernel k;
    SecureFs sfs(k);
    Fd fd;
    k.fail_at(0, ENOSYS);
    CHECK(sfs.try_open_path(s.path(), fd) == 0);
    const auto components = static_cast<size_t>(std::count(s.path().begin(), s.path().end(), '/'));
    // openat2, then "/", one openat per component, and an fstatat of the leaf.
    CHECK(k.calls().size() == 1 + 1 + components + 1);
    const size_t before = k.calls().size();
    CHECK(sfs.try_open_path(s.path(), fd) == 0);
    REQUIRE(k.calls().size() > before);
    CHECK(k.calls()[before].name == "openat");
    CHECK(k.calls()[before].path == "/");
}

TEST_CASE("a failure at any call of make_dirs leaves nothing half-created") {
    Scratch s;
    fail_each_call(s, s / "a/b", s / "a",
                   [&](SecureFs& sfs, const CreateOptions& o) { sfs.make_dirs(s / "a/b", o); });
}

TEST_CASE("a failure at any call of make_file leaves nothing half-created") {
    Scratch s;
    fail_each_call(s, s / "a/f", s / "a",
                   [&](SecureFs& sfs, const CreateOptions& o) { sfs.make_file(s / "a/f", o); });
}

TEST_CASE("a failure at any call of make_symlink leaves nothing half-created") {
    Scratch s;
    fail_each_call(s, s / "a/l", s / "a", [&](SecureFs& sfs, const CreateOptions& o) {
        sfs.make_symlink(s / "a/l", "target", o);
    });
}
