#include "profile/xsnapd.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "base/path.hpp"
#include "base/quote.hpp"

namespace nsr::profile {
namespace {

bool all_in(std::string_view s, char lo, char hi) {
    for (char c : s) {
        if (c < lo || c > hi) {
            return false;
        }
    }
    return true;
}

[[noreturn]] void invalid(std::string_view option, const std::string& value,
                          std::string_view expected) {
    throw std::invalid_argument("invalid " + std::string(option) + " " + base::quote(value) +
                                ": expected " + std::string(expected));
}

// uid_t and gid_t are both 32-bit; -1 is excluded because chown() reads it as
// "leave unchanged".
template <typename Id>
std::optional<Id> numeric_id(const MountEntry& e, std::string_view option) {
    auto value = e.option_value(option);
    if (!value) {
        return std::nullopt;
    }
    unsigned long long n = 0;
    const char* end = value->data() + value->size();
    auto [ptr, ec] = std::from_chars(value->data(), end, n);
    if (value->empty() || !all_in(*value, '0', '9') || ec != std::errc{} || ptr != end ||
        n >= std::numeric_limits<Id>::max()) {
        invalid(option, *value, "a decimal number below 4294967295");
    }
    return static_cast<Id>(n);
}

// The values x-snapd.kind and x-snapd.origin know ("" when absent).
constexpr std::pair<std::string_view, EntryKind> kKinds[] = {
    {"", EntryKind::Directory},
    {"file", EntryKind::File},
    {"symlink", EntryKind::Symlink},
    {"ensure-dir", EntryKind::EnsureDir},
};
constexpr std::pair<std::string_view, Origin> kOrigins[] = {
    {"", Origin::None},
    {"layout", Origin::Layout},
    {"overname", Origin::Overname},
    {"rootfs", Origin::Rootfs},
};

// The value TABLE gives NAME, or UNKNOWN.
template <typename T, size_t N>
T named_value(std::string_view name, const std::pair<std::string_view, T> (&table)[N], T unknown) {
    for (const auto& [n, value] : table) {
        if (n == name) {
            return value;
        }
    }
    return unknown;
}

}  // namespace

std::string kind_name(const MountEntry& e) {
    return e.option_value("x-snapd.kind").value_or("");
}

std::string origin_name(const MountEntry& e) {
    return e.option_value("x-snapd.origin").value_or("");
}

EntryKind kind(const MountEntry& e) {
    // Viewed, not copied: kind() and origin() are asked of every entry,
    // several times per run.
    return named_value(e.option_view("x-snapd.kind").value_or(""), kKinds, EntryKind::Unknown);
}

Origin origin(const MountEntry& e) {
    return named_value(e.option_view("x-snapd.origin").value_or(""), kOrigins, Origin::Unknown);
}

bool is_synthetic(const MountEntry& e) {
    return e.has_option("x-snapd.synthetic");
}
bool is_detach(const MountEntry& e) {
    return e.has_option("x-snapd.detach");
}

bool same_but_detach(const MountEntry& a, const MountEntry& b) {
    if (a.name != b.name || a.type != b.type || a.freq != b.freq || a.passno != b.passno ||
        (a.dir != b.dir && base::clean_path(a.dir) != base::clean_path(b.dir)))
        return false;
    // The options in order, each list without x-snapd.detach: compared in
    // place, with no copy of either entry.
    constexpr std::string_view kDetach = "x-snapd.detach";
    auto ia = a.options.begin(), ib = b.options.begin();
    for (;;) {
        while (ia != a.options.end() && *ia == kDetach)
            ++ia;
        while (ib != b.options.end() && *ib == kDetach)
            ++ib;
        if (ia == a.options.end() || ib == b.options.end())
            return ia == a.options.end() && ib == b.options.end();
        if (*ia++ != *ib++)
            return false;
    }
}
bool is_ignore_missing(const MountEntry& e) {
    return e.has_option("x-snapd.ignore-missing");
}
bool is_bind(const MountEntry& e) {
    return e.has_option("bind") || e.has_option("rbind");
}
bool is_rbind(const MountEntry& e) {
    return e.has_option("rbind");
}

std::string entry_id(const MountEntry& e) {
    return e.option_value("x-snapd.id").value_or(e.dir);
}

std::optional<std::string> needed_by(const MountEntry& e) {
    return e.option_value("x-snapd.needed-by");
}

std::optional<std::string> symlink_target(const MountEntry& e) {
    return e.option_value("x-snapd.symlink");
}

std::optional<std::string> must_exist_dir(const MountEntry& e) {
    return e.option_value("x-snapd.must-exist-dir");
}

// snapd's accessor wants exactly 0NNN, but its layout code writes modes with
// a special bit such as 01777, so a fourth digit is accepted too.
std::optional<mode_t> mode(const MountEntry& e) {
    auto value = e.option_value("x-snapd.mode");
    if (!value) {
        return std::nullopt;
    }
    if ((value->size() != 4 && value->size() != 5) || (*value)[0] != '0' ||
        !all_in(*value, '0', '7')) {
        invalid("x-snapd.mode", *value, "0 and 3 or 4 octal digits");
    }
    return static_cast<mode_t>(std::stoul(*value, nullptr, 8));
}

std::optional<uid_t> uid(const MountEntry& e) {
    return numeric_id<uid_t>(e, "x-snapd.uid");
}
std::optional<gid_t> gid(const MountEntry& e) {
    return numeric_id<gid_t>(e, "x-snapd.gid");
}

}  // namespace nsr::profile
