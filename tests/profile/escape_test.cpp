#include <doctest/doctest.h>

#include "profile/fstab.hpp"

using nsr::profile::escape;
using nsr::profile::unescape;

TEST_CASE("unescape decodes exactly the four octal sequences") {
    CHECK(unescape("a\\040b") == "a b");
    CHECK(unescape("a\\011b") == "a\tb");
    CHECK(unescape("a\\012b") == "a\nb");
    CHECK(unescape("a\\134b") == "a\\b");
    CHECK(unescape("\\040\\040") == "  ");
}

TEST_CASE("unescape leaves other backslash sequences literal") {
    CHECK(unescape("\\043") == "\\043");
    CHECK(unescape("\\054") == "\\054");
    CHECK(unescape("\\n") == "\\n");
    CHECK(unescape("\\04") == "\\04");
    CHECK(unescape("end\\") == "end\\");
    CHECK(unescape("\\\\") == "\\\\");
}

TEST_CASE("unescape is a single left-to-right pass") {
    // "\134" becomes a backslash that must not start another sequence.
    CHECK(unescape("\\134040") == "\\040");
    CHECK(unescape("\\134\\040") == "\\ ");
}

TEST_CASE("escape encodes space, tab, newline and backslash only") {
    CHECK(escape("/media/My Files") == "/media/My\\040Files");
    CHECK(escape("a\tb\nc\\d") == "a\\011b\\012c\\134d");
    CHECK(escape("#,=$\r\v") == "#,=$\r\v");
}

TEST_CASE("a literal escape sequence in a path survives escape then unescape") {
    CHECK(escape("/a\\040b") == "/a\\134040b");
    // An overlay layer's \054 and \072 are no sequences of this format:
    // written as they are, they read back the same.
    CHECK(escape("lowerdir=/a\\054b:/c\\072d") == "lowerdir=/a\\054b:/c\\072d");
    CHECK(unescape(escape("/a\\054b\\072")) == "/a\\054b\\072");
    CHECK(escape("/a\\05") == "/a\\13405");
    CHECK(unescape(escape("/a\\040b")) == "/a\\040b");
}
