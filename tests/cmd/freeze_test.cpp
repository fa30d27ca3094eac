// Freezer on real cgroups made for each test (cgroup v2 and the cgroup v1
// freezer), watched from outside through the kernel's own reports.
#include "cmd/freeze.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "base/error.hpp"
#include "mntns/child.hpp"
#include "tests/cmd/test_cgroup.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::test;
using namespace nsr::cmd::test;
using nsr::base::InputError;
using nsr::cmd::Freezer;
using nsr::mntns::Child;

namespace {

// A freezer on a fresh cgroup of VERSION freezes it at once and thaws it.
void check_freeze_until_thaw(CgroupVersion version) {
    require_root("cgroups");
    TestCgroup cg(version);
    Freezer f({cg.path()});
    CHECK_FALSE(cg.frozen());
    f.freeze();
    CHECK(cg.frozen());
    f.thaw();
    CHECK(eventually([&] { return !cg.frozen(); }));
}

// The body of a child that freezes PATHS, reports "F" and waits to be
// signalled.
std::function<std::string()> freeze_and_wait(const std::vector<std::string>& paths) {
    return [paths]() -> std::string {
        Freezer f(paths);
        f.freeze();
        Child::send_result("F");
        for (;;)
            ::pause();
    };
}

}  // namespace

TEST_CASE("freeze stops a cgroup v2 until thaw") {
    check_freeze_until_thaw(CgroupVersion::V2);
}

TEST_CASE("freeze stops a cgroup v1 freezer group until thaw") {
    check_freeze_until_thaw(CgroupVersion::V1);
}

TEST_CASE("one freezer holds several cgroups, v1 and v2 together") {
    require_root("cgroups");
    TestCgroup a(CgroupVersion::V2);
    TestCgroup b(CgroupVersion::V2);
    TestCgroup c(CgroupVersion::V1);
    Freezer f({a.path(), b.path(), c.path()});
    f.freeze();
    CHECK(a.frozen());
    CHECK(b.frozen());
    CHECK(c.frozen());
    f.thaw();
    CHECK(eventually([&] { return !a.frozen() && !b.frozen() && !c.frozen(); }));
}

TEST_CASE("a freezer that goes away frozen thaws its cgroups") {
    require_root("cgroups");
    TestCgroup v2(CgroupVersion::V2);
    TestCgroup v1(CgroupVersion::V1);
    {
        Freezer f({v2.path(), v1.path()});
        f.freeze();
        REQUIRE(v2.frozen());
        REQUIRE(v1.frozen());
    }
    CHECK(eventually([&] { return !v2.frozen() && !v1.frozen(); }));
}

TEST_CASE("a missing cgroup directory is a InputError naming it") {
    Scratch s;
    const std::string missing = s / "no-such-cgroup";
    CHECK_THROWS_WITH_AS(Freezer({missing}),
                         ("cannot freeze " + missing + ": No such file or directory").c_str(),
                         InputError);
}

TEST_CASE("a directory without freezer files is a InputError") {
    Scratch s;
    const std::string expected = "cannot freeze " + s.path() +
                                 ": not a freezable cgroup (it has neither cgroup.freeze, "
                                 "cgroup v2, nor freezer.state, cgroup v1)";
    CHECK_THROWS_WITH_AS(Freezer({s.path()}), expected.c_str(), InputError);
    // The root of a cgroup v2 hierarchy cannot be frozen: it has no
    // cgroup.freeze.
    const auto root = nsr::cmd::test::hierarchy_root(CgroupVersion::V2);
    REQUIRE(!root.empty());
    CHECK_THROWS_AS(Freezer({root}), InputError);
}

TEST_CASE("a cgroup holding the freezing process itself is refused, subgroups included") {
    require_root("cgroups");
    TestCgroup cg(CgroupVersion::V2);
    const std::string sub = cg.path() + "/sub";
    REQUIRE(::mkdir(sub.c_str(), 0755) == 0);
    struct RemoveSub {
        std::string path;
        ~RemoveSub() { ::rmdir(path.c_str()); }
    } remove_sub{sub};

    for (const std::string& home : {cg.path(), sub}) {
        CAPTURE(home);
        int go[2];
        REQUIRE(::pipe(go) == 0);
        Child child([&]() -> std::string {
            ::close(go[1]);
            char c;
            if (::read(go[0], &c, 1) != 1)
                throw std::runtime_error("no go");
            try {
                Freezer f({cg.path()});
                return "accepted";
            } catch (const InputError& e) {
                return e.what();
            }
        });
        ::close(go[0]);
        cg.adopt(child.pid());
        if (home != cg.path()) {
            write_file(home + "/cgroup.procs", std::to_string(child.pid()));
        }
        REQUIRE(::write(go[1], "g", 1) == 1);
        ::close(go[1]);
        const std::string said = child.result();
        CHECK(said == "cannot freeze " + cg.path() + ": it holds nsreconcile itself (pid " +
                          std::to_string(child.pid()) + ")");
        const int status = child.wait();
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
        CHECK_FALSE(cg.frozen());
    }
}

TEST_CASE("a cgroup that never reports frozen times out, thawed again") {
    // No real cgroup can be made to refuse freezing on demand, so this one is
    // a directory with the v2 files: cgroup.events never says frozen.
    Scratch s;
    write_file(s / "cgroup.freeze", "");
    write_file(s / "cgroup.events", "populated 1\nfrozen 0\n");
    write_file(s / "cgroup.procs", "");
    Freezer f({s.path()}, std::chrono::milliseconds(50));
    CHECK_THROWS_WITH_AS(
        f.freeze(),
        ("cannot finish freezing the processes of " + s.path() + " within 50 ms; thawed them again")
            .c_str(),
        std::runtime_error);
    CHECK(read_file(s / "cgroup.freeze") == "0");
}

TEST_CASE("SIGTERM, SIGINT or SIGHUP while frozen thaws, then ends the process by that signal") {
    require_root("cgroups");
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
        CAPTURE(sig);
        TestCgroup v2(CgroupVersion::V2);
        TestCgroup v1(CgroupVersion::V1);
        Child child(freeze_and_wait({v2.path(), v1.path()}));
        REQUIRE(child.result() == "F");
        CHECK(v2.frozen());
        CHECK(v1.frozen());
        REQUIRE(::kill(child.pid(), sig) == 0);
        const int status = child.wait();
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == sig);
        CHECK(eventually([&] { return !v2.frozen() && !v1.frozen(); }));
    }
}

TEST_CASE("an ignored signal neither thaws nor ends the process") {
    require_root("cgroups");
    TestCgroup cg(CgroupVersion::V2);
    Child child([&]() -> std::string {
        ::signal(SIGHUP, SIG_IGN);
        return freeze_and_wait({cg.path()})();
    });
    REQUIRE(child.result() == "F");
    REQUIRE(::kill(child.pid(), SIGHUP) == 0);
    // The signal is discarded at once; a still-frozen cgroup after a pause
    // and a live child show that nothing happened.
    ::usleep(100 * 1000);
    CHECK(cg.frozen());
    CHECK(::waitpid(child.pid(), nullptr, WNOHANG) == 0);
    REQUIRE(::kill(child.pid(), SIGTERM) == 0);
    const int status = child.wait();
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM));
    CHECK(eventually([&] { return !cg.frozen(); }));
}
