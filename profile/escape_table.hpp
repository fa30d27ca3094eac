// Octal escape sequences from a table, in both directions, for the fstab
// fields (escape.cpp) and overlay layer paths (overlay_spec.cpp). Private to
// profile/.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace nsr::profile {

struct Escape {
    char plain;
    std::string_view coded;  // "\040"
};

// TEXT with every sequence of TABLE turned into its character, in one
// left-to-right pass; any other backslash stays as it is.
std::string table_unescape(std::string_view text, std::span<const Escape> table);

// TEXT with every character of TABLE written as its sequence, except a
// backslash that starts one of KEEP, which is written as it is.
std::string table_escape(std::string_view text, std::span<const Escape> table,
                         std::span<const std::string_view> keep = {});

}  // namespace nsr::profile
