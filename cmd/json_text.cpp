#include "cmd/json_text.hpp"

#include <stdexcept>

namespace nsr::cmd {

namespace {

// The length of the well-formed UTF-8 sequence at TEXT[I], or 0 (RFC 3629,
// table 3-7 of the Unicode standard: the second byte's range depends on the
// first, which excludes overlong forms, surrogates and code points above
// U+10FFFF).
size_t sequence_at(std::string_view text, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80)
        return 1;
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (i + len > text.size())
        return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi)
        return 0;
    for (size_t k = 2; k < len; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
            return 0;
    }
    return len;
}

}  // namespace

bool is_utf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const size_t n = sequence_at(text, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::string to_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const size_t n = sequence_at(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text, i, n);
            i += n;
        }
    }
    return out;
}

std::string hex_bytes(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 0xF];
    }
    return out;
}

void put_text(nlohmann::json& obj, const std::string& key, std::string_view value) {
    if (is_utf8(value)) {
        obj[key] = std::string(value);
        return;
    }
    obj[key] = to_utf8(value);
    obj[key + "_hex"] = hex_bytes(value);
}

void put_texts(nlohmann::json& obj, const std::string& key,
               const std::vector<std::string>& values) {
    auto text = nlohmann::json::array();
    bool exact = true;
    for (const auto& v : values) {
        exact = exact && is_utf8(v);
        text.push_back(to_utf8(v));
    }
    obj[key] = std::move(text);
    if (exact)
        return;
    auto hex = nlohmann::json::array();
    for (const auto& v : values)
        hex.push_back(hex_bytes(v));
    obj[key + "_hex"] = std::move(hex);
}

std::string get_text(const nlohmann::json& obj, const std::string& key) {
    const auto hex = obj.find(key + "_hex");
    if (hex == obj.end())
        return obj.at(key).get<std::string>();
    const auto digits = hex->get<std::string>();
    const auto value = [&](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        throw std::invalid_argument("bad hex digit in " + key + "_hex");
    };
    if (digits.size() % 2 != 0)
        throw std::invalid_argument(key + "_hex has an odd number of digits");
    std::string out;
    for (size_t i = 0; i < digits.size(); i += 2)
        out += static_cast<char>(value(digits[i]) * 16 + value(digits[i + 1]));
    return out;
}

std::string dump_json(const nlohmann::json& obj) {
    return obj.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace nsr::cmd
