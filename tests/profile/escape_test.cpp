#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "profile/fstab.hpp"

using nsr::profile::escape;
using nsr::profile::unescape;

namespace {

// A field and what a function makes of it.
struct Case {
    std::string_view in;
    std::string_view out;
};

void check_each(std::string (*f)(std::string_view), std::initializer_list<Case> cases) {
    for (const Case& c : cases) {
        CAPTURE(c.in);
        CHECK(f(c.in) == c.out);
    }
}

std::string escape_then_unescape(std::string_view field) {
    return unescape(escape(field));
}

}  // namespace

TEST_CASE("unescape decodes exactly the four octal sequences") {
    check_each(unescape, {
                             {"a\\040b", "a b"},
                             {"a\\011b", "a\tb"},
                             {"a\\012b", "a\nb"},
                             {"a\\134b", "a\\b"},
                             {"\\040\\040", "  "},
                         });
}

TEST_CASE("unescape leaves other backslash sequences literal") {
    check_each(unescape, {
                             {"\\043", "\\043"},
                             {"\\054", "\\054"},
                             {"\\n", "\\n"},
                             {"\\04", "\\04"},
                             {"end\\", "end\\"},
                             {"\\\\", "\\\\"},
                         });
}

TEST_CASE("unescape is a single left-to-right pass") {
    // "\134" becomes a backslash that must not start another sequence.
    check_each(unescape, {{"\\134040", "\\040"}, {"\\134\\040", "\\ "}});
}

TEST_CASE("escape encodes space, tab, newline and backslash only") {
    check_each(escape, {
                           {"/media/My Files", "/media/My\\040Files"},
                           {"a\tb\nc\\d", "a\\011b\\012c\\134d"},
                           {"#,=$\r\v", "#,=$\r\v"},
                       });
}

TEST_CASE("a literal escape sequence in a path survives escape then unescape") {
    // An overlay layer's \054 and \072 are no sequences of this format:
    // written as they are, they read back the same.
    check_each(escape, {
                           {"/a\\040b", "/a\\134040b"},
                           {"lowerdir=/a\\054b:/c\\072d", "lowerdir=/a\\054b:/c\\072d"},
                           {"/a\\05", "/a\\13405"},
                       });
    check_each(escape_then_unescape,
               {{"/a\\054b\\072", "/a\\054b\\072"}, {"/a\\040b", "/a\\040b"}});
}
