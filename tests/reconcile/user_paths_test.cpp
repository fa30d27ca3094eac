// Per-user paths, as snapd's expand_test.go and user_test.go pin them.
#include "reconcile/user_paths.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "profile/fstab.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using nsr::profile::parse_profile;
using nsr::test::Scratch;

namespace {

// PROFILE's text after expansion for DIRS.
std::string expanded(const std::string& profile, const UserDirs& dirs) {
    auto p = parse_profile(profile, "test");
    expand_user_paths(p, dirs);
    return nsr::profile::format_profile(p);
}

}  // namespace

TEST_CASE("$XDG_RUNTIME_DIR at the start of a source or mount point is /run/user/UID") {
    const UserDirs dirs{1000, 1000, ""};
    CHECK(expanded("$XDG_RUNTIME_DIR/a $XDG_RUNTIME_DIR/b none bind 0 0\n", dirs) ==
          "/run/user/1000/a /run/user/1000/b none bind 0 0\n");
    CHECK(expanded("$XDG_RUNTIME_DIR $XDG_RUNTIME_DIR/x none bind 0 0\n", dirs) ==
          "/run/user/1000 /run/user/1000/x none bind 0 0\n");
    // Only as a whole component, and only at the start.
    CHECK(expanded("$XDG_RUNTIME_DIRX/a /b$XDG_RUNTIME_DIR none bind 0 0\n", dirs) ==
          "$XDG_RUNTIME_DIRX/a /b$XDG_RUNTIME_DIR none bind 0 0\n");
}

TEST_CASE("$HOME is expanded in ensure-dir entries only, mount point and must-exist-dir") {
    Scratch home;
    const UserDirs dirs{1000, 1000, home.path()};
    CHECK(expanded("none $HOME/.config/app none "
                   "x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=$HOME 0 0\n",
                   dirs) ==
          "none " + home / ".config/app" +
              " none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=" + home.path() + " 0 0\n");
    // A bind keeps $HOME as written, as snapd does.
    CHECK(expanded("$HOME/a $HOME/b none bind 0 0\n", dirs) == "$HOME/a $HOME/b none bind 0 0\n");
}

TEST_CASE("an unusable real home fails the update, naming the entry and why") {
    const std::string entry =
        "none $HOME/.config/app none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=$HOME 0 0";
    auto p = parse_profile(entry + "\n", "test");
    CHECK_THROWS_WITH_AS(expand_user_paths(p, {1000, 1000, "home/u"}),
                         ("cannot expand mount entry (" + entry +
                          "): cannot use invalid home directory \"home/u\": not an absolute path")
                             .c_str(),
                         std::runtime_error);
}

TEST_CASE("the real home is checked only when an entry needs it") {
    // No $HOME anywhere: a missing home directory does not matter.
    CHECK(expanded("$XDG_RUNTIME_DIR/a /b none bind 0 0\n", {7, 7, "/nonexistent-nsr-home"}) ==
          "/run/user/7/a /b none bind 0 0\n");
}

TEST_CASE("home_problem accepts an absolute clean directory and says what is wrong otherwise") {
    Scratch s;
    CHECK(home_problem(s.path()) == "");
    CHECK(home_problem("") == "cannot use invalid home directory \"\": not an absolute path");
    CHECK(home_problem(s.path() + "/") ==
          "cannot use invalid home directory \"" + s.path() + "/\": not a clean path");
    CHECK(home_problem(s / "missing") ==
          "cannot use invalid home directory \"" + s / "missing" + "\": No such file or directory");
    // A symlink is not followed, even to a directory.
    REQUIRE(::symlink(s.path().c_str(), (s / "link").c_str()) == 0);
    CHECK(home_problem(s / "link") ==
          "cannot use invalid home directory \"" + s / "link" + "\": Not a directory");
}

TEST_CASE("a per-user tmpfs that names no owner gets the user's uid and gid, as snapd's") {
    const UserDirs dirs{1000, 1001, ""};
    CHECK(expanded("tmpfs $XDG_RUNTIME_DIR/t tmpfs mode=0700 0 0\n", dirs) ==
          "tmpfs /run/user/1000/t tmpfs mode=0700,uid=1000,gid=1001 0 0\n");
    // An owner the profile names stays; the other half is still the user's.
    CHECK(expanded("tmpfs /t tmpfs uid=0 0 0\n", dirs) == "tmpfs /t tmpfs uid=0,gid=1001 0 0\n");
    // Not a tmpfs: nothing is added.
    CHECK(expanded("/a /b none bind 0 0\n", dirs) == "/a /b none bind 0 0\n");
}
