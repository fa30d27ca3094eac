#include <array>
#include <string>
#include <string_view>

#include "profile/fstab.hpp"

namespace nsr::profile {
namespace {

struct Escape {
    char plain;
    std::string_view coded;
};

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

std::string unescape(std::string_view field) {
    // Most fields hold no escape: one copy.
    if (field.find('\\') == std::string_view::npos)
        return std::string(field);
    std::string out;
    out.reserve(field.size());
    size_t i = 0;
    while (i < field.size()) {
        bool decoded = false;
        if (field[i] == '\\') {
            for (const auto& e : kEscapes) {
                if (field.substr(i, e.coded.size()) == e.coded) {
                    out += e.plain;
                    i += e.coded.size();
                    decoded = true;
                    break;
                }
            }
        }
        if (!decoded) {
            out += field[i];
            ++i;
        }
    }
    return out;
}

std::string escape(std::string_view field) {
    if (field.find_first_of(" \t\n\\") == std::string_view::npos)
        return std::string(field);
    std::string out;
    out.reserve(field.size());
    for (char c : field) {
        bool encoded = false;
        for (const auto& e : kEscapes) {
            if (c == e.plain) {
                out += e.coded;
                encoded = true;
                break;
            }
        }
        if (!encoded) {
            out += c;
        }
    }
    return out;
}

}  // namespace nsr::profile
