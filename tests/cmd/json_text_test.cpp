// Text in JSON output: invalid UTF-8 becomes U+FFFD in the text field and
// the exact bytes go hex-encoded into KEY_hex; printing never throws.
#include <doctest/doctest.h>

#include <string>

#include "cmd/json_text.hpp"

using namespace nsr::cmd;

namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

}  // namespace

TEST_CASE("is_utf8 accepts well-formed UTF-8 and refuses the rest byte by byte") {
    CHECK(is_utf8(""));
    CHECK(is_utf8("/snap/foo/1/caf\xC3\xA9"));                         // U+00E9
    CHECK(is_utf8("\xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));  // U+20AC, U+1F600, U+10FFFF
    CHECK_FALSE(is_utf8("caf\xE9"));                                   // Latin-1
    CHECK_FALSE(is_utf8("\xC0\xAF"));                                  // overlong '/'
    CHECK_FALSE(is_utf8("\xE0\x80\xAF"));                              // overlong '/'
    CHECK_FALSE(is_utf8("\xED\xA0\x80"));                              // surrogate U+D800
    CHECK_FALSE(is_utf8("\xF4\x90\x80\x80"));                          // above U+10FFFF
    CHECK_FALSE(is_utf8("\xE2\x82"));                                  // cut short
    CHECK_FALSE(is_utf8("\x80"));                                      // a lone continuation byte
}

TEST_CASE("to_utf8 replaces each byte outside a valid sequence with U+FFFD") {
    CHECK(to_utf8("caf\xE9/x") == "caf" + kReplacement + "/x");
    CHECK(to_utf8("\xE2\x82/") == kReplacement + kReplacement + "/");
    CHECK(to_utf8("ok \xC3\xA9") == "ok \xC3\xA9");
}

TEST_CASE("put_text adds KEY_hex only for text that is not UTF-8, and get_text reads it back") {
    nlohmann::json j;
    put_text(j, "entry", "/a /b none bind 0 0");
    put_text(j, "dir", "/b/caf\xE9");
    CHECK(j["entry"] == "/a /b none bind 0 0");
    CHECK_FALSE(j.contains("entry_hex"));
    CHECK(j["dir"] == "/b/caf" + kReplacement);
    CHECK(j["dir_hex"] == "2f622f636166e9");
    CHECK(get_text(j, "entry") == "/a /b none bind 0 0");
    CHECK(get_text(j, "dir") == "/b/caf\xE9");
    // The printed form parses back to the same values.
    const auto again = nlohmann::json::parse(dump_json(j));
    CHECK(get_text(again, "dir") == "/b/caf\xE9");
}

TEST_CASE("put_texts gives every value's bytes when any of them is not UTF-8") {
    nlohmann::json j;
    put_texts(j, "synthesized", {"/a", "/b\xFF"});
    CHECK(j["synthesized"] == nlohmann::json::array({"/a", "/b" + kReplacement}));
    CHECK(j["synthesized_hex"] == nlohmann::json::array({"2f61", "2f62ff"}));
    nlohmann::json clean;
    put_texts(clean, "synthesized", {"/a"});
    CHECK_FALSE(clean.contains("synthesized_hex"));
}

TEST_CASE("dump_json prints invalid UTF-8 put there directly as U+FFFD instead of throwing") {
    const nlohmann::json j = {{"detail", "bad \xE9 byte"}};
    CHECK(dump_json(j) == "{\n  \"detail\": \"bad " + kReplacement + " byte\"\n}\n");
}
