#include <doctest/doctest.h>

#include <string>

#include "profile/fstab.hpp"
#include "profile/validate.hpp"

using nsr::profile::parse_profile;
using nsr::profile::Problem;
using nsr::profile::validate_profile;

namespace {

std::vector<Problem> check(const std::string& text) {
    return validate_profile(parse_profile(text, "t"));
}

// The only problem of a one-line profile.
std::string problem_of(const std::string& line) {
    auto problems = check(line + "\n");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 1);
    return problems[0].message;
}

}  // namespace

TEST_CASE("snapd's generated entries are valid") {
    const char* text = R"(/snap/app/x1/usr /usr none rbind,rw,x-snapd.origin=layout 0 0
/snap/vanguard/42/foo.conf /etc/foo.conf none bind,rw,x-snapd.kind=file,x-snapd.origin=layout 0 0
none /lib/mylink none x-snapd.kind=symlink,x-snapd.symlink=/snap/vanguard/42/link/target,x-snapd.origin=layout 0 0
tmpfs /lib/mytmp tmpfs x-snapd.mode=01777,x-snapd.origin=layout 0 0
/snap/provider/12/lib /snap/consumer/3/lib none bind,ro 0 0
/snap/foo_bar /snap/foo none rbind,x-snapd.origin=overname 0 0
tmpfs / tmpfs x-snapd.origin=rootfs 0 0
$XDG_RUNTIME_DIR/doc/by-app/snap.foo $XDG_RUNTIME_DIR/doc none bind,rw,x-snapd.ignore-missing 0 0
none $HOME/.local/share none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=$HOME 0 0
none $HOME/.config none x-snapd.kind=ensure-dir 0 0
tmpfs /x tmpfs x-snapd.mode=0755,x-snapd.uid=0,x-snapd.gid=0 0 0
)";
    CHECK(check(text).empty());
}

TEST_CASE("the mount point must be an absolute path") {
    CHECK(problem_of("tmpfs tmp tmpfs") == "mount point \"tmp\" is not an absolute path");
    CHECK(problem_of("tmpfs ./tmp tmpfs") == "mount point \"./tmp\" is not an absolute path");
    CHECK(problem_of("tmpfs $HOMEDIR/x tmpfs") ==
          "mount point \"$HOMEDIR/x\" is not an absolute path");
    CHECK(problem_of("tmpfs $USER/x tmpfs") == "mount point \"$USER/x\" is not an absolute path");
}

TEST_CASE("user profile variables may start a path or be the whole path") {
    CHECK(check("tmpfs $HOME tmpfs\n").empty());
    CHECK(check("tmpfs $XDG_RUNTIME_DIR tmpfs\n").empty());
    CHECK(check("tmpfs $HOME/a/b tmpfs\n").empty());
    CHECK(check("tmpfs $XDG_RUNTIME_DIR/a tmpfs\n").empty());
}

TEST_CASE("paths must be clean") {
    CHECK(problem_of("tmpfs /a//b tmpfs") ==
          "mount point \"/a//b\" is not clean, expected \"/a/b\"");
    CHECK(problem_of("tmpfs /a/ tmpfs") == "mount point \"/a/\" is not clean, expected \"/a\"");
    CHECK(problem_of("tmpfs /a/./b tmpfs") ==
          "mount point \"/a/./b\" is not clean, expected \"/a/b\"");
    CHECK(problem_of("tmpfs // tmpfs") == "mount point \"//\" is not clean, expected \"/\"");
    CHECK(problem_of("tmpfs /. tmpfs") == "mount point \"/.\" is not clean, expected \"/\"");
    CHECK(problem_of("tmpfs $HOME/ tmpfs") ==
          "mount point \"$HOME/\" is not clean, expected \"$HOME\"");
    CHECK(problem_of("tmpfs $HOME//a tmpfs") ==
          "mount point \"$HOME//a\" is not clean, expected \"$HOME/a\"");
    CHECK(check("tmpfs / tmpfs\n").empty());
    CHECK(check("tmpfs /a.b/..c/... tmpfs\n").empty());
}

TEST_CASE("paths must not contain .. components") {
    CHECK(problem_of("tmpfs /a/../b tmpfs") ==
          "mount point \"/a/../b\" contains a \"..\" component");
    CHECK(problem_of("tmpfs /.. tmpfs") == "mount point \"/..\" contains a \"..\" component");
    CHECK(problem_of("tmpfs $HOME/.. tmpfs") ==
          "mount point \"$HOME/..\" contains a \"..\" component");
}

TEST_CASE("a component longer than NAME_MAX or a path longer than PATH_MAX is a problem") {
    const std::string name_max(255, 'n');
    CHECK(check("tmpfs /a/" + name_max + " tmpfs\n").empty());
    const std::string long_dir = "/a/" + name_max + "x/b";
    CHECK(problem_of("tmpfs " + long_dir + " tmpfs") ==
          "mount point \"" + long_dir + "\" has a component longer than 255 bytes (NAME_MAX)");
    CHECK(problem_of("/" + name_max + "x /a none bind") ==
          "bind source \"/" + name_max + "x\" has a component longer than 255 bytes (NAME_MAX)");
    // 16 components of 255 bytes and their slashes: 4096 bytes, one more
    // than a path may have.
    std::string path_max;
    while (path_max.size() < 4095)
        path_max += "/" + std::string(std::min<size_t>(255, 4095 - path_max.size() - 1), 'p');
    REQUIRE(path_max.size() == 4095);
    CHECK(check("tmpfs " + path_max + " tmpfs\n").empty());
    const std::string too_long = path_max + "q";
    CHECK(problem_of("tmpfs " + too_long + " tmpfs") ==
          "mount point \"" + too_long + "\" is longer than 4095 bytes (PATH_MAX)");
    CHECK(problem_of("none /a none x-snapd.kind=symlink,x-snapd.symlink=" + too_long) ==
          "the x-snapd.symlink target of \"/a\" is longer than 4095 bytes (PATH_MAX)");
}

TEST_CASE("an entry that would be too long to read back once written is a problem") {
    // Written, each lone backslash becomes \134: 17000 of them are 68000
    // bytes, past the 64 KiB line the parser (and snapd's) reads.
    const std::string id(17000, '\\');
    const std::string line = "/s /a none bind,x-snapd.id=" + id + " 0 0";
    REQUIRE(line.size() < 65535);
    CHECK(problem_of(line) ==
          "the entry is longer than 65535 bytes once written, escapes included (68031 bytes), "
          "so its current profile could not be read back");
}

TEST_CASE("a bind source must be an absolute clean path") {
    CHECK(problem_of("src /a none bind") == "bind source \"src\" is not an absolute path");
    CHECK(problem_of("src /a none rbind,ro") == "bind source \"src\" is not an absolute path");
    CHECK(problem_of("/s/../t /a none bind") ==
          "bind source \"/s/../t\" contains a \"..\" component");
    CHECK(problem_of("/s/ /a none bind") == "bind source \"/s/\" is not clean, expected \"/s\"");
    CHECK(check("tmpfs /a tmpfs\nnone /b none\n").empty());
}

TEST_CASE("unknown kinds and origins are reported with their value") {
    CHECK(problem_of("none /a none x-snapd.kind=dir") == "unknown x-snapd.kind \"dir\"");
    CHECK(problem_of("none /a none x-snapd.origin=content") ==
          "unknown x-snapd.origin \"content\"");
}

TEST_CASE("bad mode, uid and gid values are reported") {
    CHECK(problem_of("tmpfs /a tmpfs x-snapd.mode=755") ==
          "invalid x-snapd.mode \"755\": expected 0 and 3 or 4 octal digits");
    CHECK(problem_of("tmpfs /a tmpfs x-snapd.uid=root") ==
          "invalid x-snapd.uid \"root\": expected a decimal number below 4294967295");
    CHECK(problem_of("tmpfs /a tmpfs x-snapd.gid=-1") ==
          "invalid x-snapd.gid \"-1\": expected a decimal number below 4294967295");
}

TEST_CASE("a symlink entry needs a non-empty target") {
    CHECK(problem_of("none /l none x-snapd.kind=symlink") ==
          "symlink \"/l\" has no x-snapd.symlink target");
    CHECK(problem_of("none /l none x-snapd.kind=symlink,x-snapd.symlink=") ==
          "symlink \"/l\" has no x-snapd.symlink target");
    CHECK(check("none /l none x-snapd.kind=symlink,x-snapd.symlink=rel/target\n").empty());
}

TEST_CASE("x-snapd.must-exist-dir must be an absolute clean path") {
    CHECK(problem_of("none /a/b none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=a") ==
          "x-snapd.must-exist-dir \"a\" is not an absolute path");
    CHECK(check("none /a/b none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=/a\n").empty());
}

TEST_CASE("two entries on the same mount point are a duplicate") {
    auto problems =
        check("tmpfs /a tmpfs\n# c\n/s /b none bind\n/t /a none bind\n/u /a none bind\n");
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].line == 4);
    CHECK(problems[0].message == "duplicate mount point /a (first at line 1)");
    CHECK(problems[1].line == 5);
    CHECK(problems[1].message == "duplicate mount point /a (first at line 1)");
}

TEST_CASE("ensure-dir entries never clash with another entry on the same mount point") {
    CHECK(check("none /a none x-snapd.kind=ensure-dir\ntmpfs /a tmpfs\n").empty());
    CHECK(check("tmpfs /a tmpfs\nnone /a none x-snapd.kind=ensure-dir\n"
                "none /a none x-snapd.kind=ensure-dir\n")
              .empty());
}

TEST_CASE("every problem is reported, in line order") {
    auto problems = check(
        "tmpfs rel tmpfs x-snapd.kind=bogus,x-snapd.mode=9\n"
        "src /x//y none bind,x-snapd.origin=nope\n");
    REQUIRE(problems.size() == 6);
    CHECK(problems[0].line == 1);
    CHECK(problems[0].message == "mount point \"rel\" is not an absolute path");
    CHECK(problems[1].message == "unknown x-snapd.kind \"bogus\"");
    CHECK(problems[2].message == "invalid x-snapd.mode \"9\": expected 0 and 3 or 4 octal digits");
    CHECK(problems[3].line == 2);
    CHECK(problems[3].message == "mount point \"/x//y\" is not clean, expected \"/x/y\"");
    CHECK(problems[4].message == "bind source \"src\" is not an absolute path");
    CHECK(problems[5].message == "unknown x-snapd.origin \"nope\"");
}
