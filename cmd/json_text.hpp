// Text in JSON output. Paths and profile lines are bytes, not necessarily
// UTF-8, and JSON strings must be UTF-8: a text field holds the value with
// every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD,
// and, only when something was replaced, a sibling field KEY_hex holds the
// exact bytes hex-encoded. Printing JSON then cannot fail, so a report is
// never lost after the work it reports on is done.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace nsr::cmd {

// Is TEXT well-formed UTF-8 (no overlong forms, surrogates or code points
// above U+10FFFF)?
bool is_utf8(std::string_view text);

// TEXT with each byte that does not belong to a well-formed sequence
// replaced by U+FFFD.
std::string to_utf8(std::string_view text);

// Lower-case hex, two digits a byte.
std::string hex_bytes(std::string_view bytes);

// OBJ[KEY] = VALUE as described above, plus OBJ[KEY + "_hex"] when VALUE
// is not UTF-8.
void put_text(nlohmann::json& obj, const std::string& key, std::string_view value);
// The same for a list of values: KEY_hex, when present, lists every value's
// bytes in the same order.
void put_texts(nlohmann::json& obj, const std::string& key, const std::vector<std::string>& values);

// The exact bytes of OBJ[KEY] as put_text wrote them (KEY_hex when present).
// Throws nlohmann::json::exception when KEY is missing or not a string,
// std::invalid_argument when KEY_hex is not hex.
std::string get_text(const nlohmann::json& obj, const std::string& key);

// OBJ printed with an indent of 2 and a final newline. Never throws for
// text: any invalid UTF-8 that bypassed put_text is printed as U+FFFD.
std::string dump_json(const nlohmann::json& obj);

}  // namespace nsr::cmd
