#include "base/options.hpp"

namespace nsr::base {

Option parse_option(std::string_view item) {
    const size_t eq = item.find('=');
    return {item, item.substr(0, eq),
            eq == std::string_view::npos ? std::nullopt : std::optional(item.substr(eq + 1))};
}

void OptionList::iterator::advance() {
    while (!rest_.empty()) {
        const size_t comma = rest_.find(',');
        const std::string_view item = rest_.substr(0, comma);
        rest_ = comma == std::string_view::npos ? std::string_view() : rest_.substr(comma + 1);
        if (item.empty())
            continue;
        current_ = parse_option(item);
        done_ = false;
        return;
    }
    done_ = true;
}

std::optional<std::string_view> find_option(std::string_view options, std::string_view key) {
    for (const Option& o : OptionList(options)) {
        if (o.key == key)
            return o.value.value_or(std::string_view());
    }
    return std::nullopt;
}

bool has_option(std::string_view options, std::string_view text) {
    for (const Option& o : OptionList(options)) {
        if (o.text == text)
            return true;
    }
    return false;
}

}  // namespace nsr::base
