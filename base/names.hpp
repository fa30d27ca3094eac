// The names of an enum's values, as commands, files and outputs spell them
// ("native", "keep", "slave"), kept in one table per enum.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nsr::base {

template <typename E>
struct Named {
    E value;
    std::string_view name;
};

// The name of VALUE in NAMES; "?" when it has none.
template <typename E, size_t N>
constexpr std::string_view name_of(const Named<E> (&names)[N], E value) {
    for (const auto& n : names) {
        if (n.value == value)
            return n.name;
    }
    return "?";
}

// The value named NAME in NAMES, or nothing.
template <typename E, size_t N>
constexpr std::optional<E> value_named(const Named<E> (&names)[N], std::string_view name) {
    for (const auto& n : names) {
        if (n.name == name)
            return n.value;
    }
    return std::nullopt;
}

// The value named NAME in NAMES. Otherwise throws std::invalid_argument
// "unknown WHAT 'NAME' (a, b or c)".
template <typename E, size_t N>
E parse_name(const Named<E> (&names)[N], std::string_view name, std::string_view what) {
    if (auto v = value_named(names, name))
        return *v;
    std::string choices;
    for (size_t i = 0; i < N; ++i)
        choices += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(names[i].name);
    throw std::invalid_argument("unknown " + std::string(what) + " '" + std::string(name) + "' (" +
                                choices + ")");
}

}  // namespace nsr::base
