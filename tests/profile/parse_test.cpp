#include <doctest/doctest.h>

#include <string>

#include "profile/fstab.hpp"
#include "tests/support/thrown.hpp"

using namespace nsr::profile;
using nsr::base::InputError;

namespace {

MountEntry parse_one(const std::string& line) {
    auto profile = parse_profile(line, "test");
    REQUIRE(profile.entries.size() == 1);
    return profile.entries[0];
}

std::string parse_error(const std::string& text) {
    return nsr::test::thrown_message<InputError>([&] { parse_profile(text, "/x.fstab"); },
                                                 "no error");
}

}  // namespace

TEST_CASE("parse reads all six fields") {
    auto e = parse_one("/snap/a/1/lib /snap/b/2/lib none bind,ro 1 2");
    // MountEntry's == compares the six fields, not the line.
    CHECK(e == MountEntry{"/snap/a/1/lib", "/snap/b/2/lib", "none", {"bind", "ro"}, 1, 2});
    CHECK(e.line == 1);
}

TEST_CASE("parse defaults missing options to an empty list and numbers to zero") {
    auto e = parse_one("tmpfs /tmp tmpfs");
    CHECK(e.options.empty());
    CHECK(e.freq == 0);
    CHECK(e.passno == 0);
    auto f = parse_one("tmpfs /tmp tmpfs mode=0755");
    CHECK(f.options == std::vector<std::string>{"mode=0755"});
    CHECK(f.freq == 0);
}

TEST_CASE("parse keeps none and defaults literally") {
    auto e = parse_one("none /a none defaults 0 0");
    CHECK(e.name == "none");
    CHECK(e.type == "none");
    CHECK(e.options == std::vector<std::string>{"defaults"});
}

TEST_CASE("parse splits on runs of spaces and tabs and trims the line") {
    auto e = parse_one("  \t/a \t\t /b\tnone   bind  \r");
    CHECK(e.name == "/a");
    CHECK(e.dir == "/b");
    CHECK(e.options == std::vector<std::string>{"bind"});
}

TEST_CASE("parse skips blank and comment lines and counts them") {
    auto p = parse_profile("# header\n\n   \n  # indented\n/a /b none\n", "t");
    REQUIRE(p.entries.size() == 1);
    CHECK(p.entries[0].line == 5);
}

TEST_CASE("parse drops everything from the first field that starts with #") {
    auto e = parse_one("/a /b none bind #0 1");
    CHECK(e.options == std::vector<std::string>{"bind"});
    CHECK(e.freq == 0);
    auto f = parse_one("mhddfs#/a,/b /mnt fuse defaults 0 0 # trailing");
    CHECK(f.name == "mhddfs#/a,/b");
    CHECK(f.passno == 0);
}

TEST_CASE("parse unescapes name, dir, type and options") {
    auto e = parse_one("/a\\040b /media/My\\040Files t\\011y x=a\\134b,y=\\012");
    CHECK(e.name == "/a b");
    CHECK(e.dir == "/media/My Files");
    CHECK(e.type == "t\ty");
    CHECK(e.options == std::vector<std::string>{"x=a\\b", "y=\n"});
}

TEST_CASE("parse splits options on every comma, keeping empty ones") {
    auto e = parse_one("a /b c x,,y, 0 0");
    CHECK(e.options == std::vector<std::string>{"x", "", "y", ""});
}

TEST_CASE("parse accepts a sign on the numeric fields as Atoi does") {
    auto e = parse_one("a /b c d +3 -4");
    CHECK(e.freq == 3);
    CHECK(e.passno == -4);
}

TEST_CASE("parse wants between 3 and 6 fields") {
    nsr::test::check_errors(
        parse_error,
        {
            {"a /b\n", "/x.fstab:1: expected between 3 and 6 fields, found 2"},
            {"\na /b c d 0 0 x\n", "/x.fstab:2: expected between 3 and 6 fields, found 7"},
            {"a /b #c\n", "/x.fstab:1: expected between 3 and 6 fields, found 2"},
        });
}

TEST_CASE("parse rejects non-numeric dump frequency and pass number") {
    nsr::test::check_errors(
        parse_error,
        {
            {"a /b c d x 0", "/x.fstab:1: cannot parse dump frequency: \"x\""},
            {"a /b c d 0 1x", "/x.fstab:1: cannot parse check pass number: \"1x\""},
            {"a /b c d +-1 0", "/x.fstab:1: cannot parse dump frequency: \"+-1\""},
            {"a /b c d 99999999999 0", "/x.fstab:1: cannot parse dump frequency: \"99999999999\""},
            {"a /b c d 0 -", "/x.fstab:1: cannot parse check pass number: \"-\""},
        });
}

TEST_CASE("parse error carries source, line and message separately") {
    try {
        parse_profile("/a /b c\n/a\n", "src");
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(e.source() == "src");
        CHECK(e.line() == 2);
        CHECK(e.message() == "expected between 3 and 6 fields, found 1");
    }
}

TEST_CASE("parse rejects a line longer than 64 KiB") {
    const std::string fits = "a /b c " + std::string(65535 - 7, 'x');
    REQUIRE(fits.size() == 65535);
    CHECK(parse_profile(fits + "\n", "t").entries.size() == 1);
    const std::string too_long = fits + "x";
    CHECK(parse_error("a /b c\n" + too_long + "\n").starts_with("/x.fstab:2: line is longer"));
}

TEST_CASE("parse with a problem list records every bad line and keeps the good ones") {
    std::vector<Problem> problems;
    auto p = parse_profile("/a /b c\nbad\n/c /d e f g\n/e /f g\n", "t", &problems);
    REQUIRE(p.entries.size() == 2);
    CHECK(p.entries[0].dir == "/b");
    CHECK(p.entries[1].dir == "/f");
    CHECK(p.entries[1].line == 4);
    std::vector<std::string> described;
    for (const Problem& problem : problems)
        described.push_back(std::to_string(problem.line) + ": " + problem.message);
    CHECK(described == std::vector<std::string>{"2: expected between 3 and 6 fields, found 1",
                                                "3: cannot parse dump frequency: \"g\""});
}

TEST_CASE("parse handles a last line without newline and an empty text") {
    CHECK(parse_profile("", "t").entries.empty());
    auto p = parse_profile("/a /b c\n/d /e f", "t");
    REQUIRE(p.entries.size() == 2);
    CHECK(p.entries[1].line == 2);
}
