#include <array>
#include <string>
#include <string_view>

#include "profile/escape_table.hpp"
#include "profile/fstab.hpp"

namespace nsr::profile {
namespace {

// The only four sequences snapd knows. Both directions work in one left-to-
// right pass, so a literal "\040" in a path is written "\134040" and read back
// unchanged: the decoder consumes "\134" before it can see "040".
constexpr std::array<Escape, 4> kEscapes{{
    {' ', "\\040"},
    {'\t', "\\011"},
    {'\n', "\\012"},
    {'\\', "\\134"},
}};

}  // namespace

std::string table_unescape(std::string_view text, std::span<const Escape> table) {
    // Most fields hold no escape: one copy.
    if (text.find('\\') == std::string_view::npos)
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        bool decoded = false;
        if (text[i] == '\\') {
            for (const auto& e : table) {
                if (text.substr(i, e.coded.size()) == e.coded) {
                    out += e.plain;
                    i += e.coded.size();
                    decoded = true;
                    break;
                }
            }
        }
        if (!decoded) {
            out += text[i];
            ++i;
        }
    }
    return out;
}

bool has_nul(std::string_view field) {
    if (field.find('\0') != std::string_view::npos)
        return true;
    // The same left-to-right pass as unescape(): "\134000" is a backslash
    // followed by "000", not a NUL. From backslash to backslash: most
    // fields hold none.
    for (size_t i = field.find('\\'); i != std::string_view::npos; i = field.find('\\', i)) {
        if (field.substr(i, 4) == "\\000")
            return true;
        size_t step = 1;
        for (const auto& e : kEscapes) {
            if (field.substr(i, e.coded.size()) == e.coded) {
                step = e.coded.size();
                break;
            }
        }
        i += step;
    }
    return false;
}

std::string table_escape(std::string_view text, std::span<const Escape> table,
                         std::span<const std::string_view> keep) {
    bool plain = true;
    for (char c : text) {
        for (const auto& e : table)
            plain = plain && c != e.plain;
    }
    if (plain)
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        bool kept = false;
        for (std::string_view k : keep)
            kept = kept || (c == '\\' && text.substr(i, k.size()) == k);
        const Escape* coded = nullptr;
        for (const auto& e : table) {
            if (!kept && c == e.plain)
                coded = &e;
        }
        if (coded)
            out += coded->coded;
        else
            out += c;
    }
    return out;
}

std::string unescape(std::string_view field) {
    return table_unescape(field, kEscapes);
}

// An overlay layer's \054 or \072 (overlay_spec.hpp) is no sequence of this
// format, so unescape() leaves it alone: it is written as it is, not as
// \134054, and reads back the same.
constexpr std::string_view kOverlayEscapes[] = {"\\054", "\\072"};

std::string escape(std::string_view field) {
    return table_escape(field, kEscapes, kOverlayEscapes);
}

}  // namespace nsr::profile
