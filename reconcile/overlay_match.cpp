#include "reconcile/overlay_match.hpp"

#include "base/options.hpp"

#include <optional>
#include <stdexcept>

namespace nsr::reconcile {
namespace {

using profile::OverlaySpec;

// One layer as the kernel shows it. upperdir= and workdir= given as strings
// are unescaped by the kernel, given by fd they are not; both readings are
// accepted for them (EITHER_WAY).
struct Shown {
    std::string text;
    bool either_way = false;
};

struct ShownOverlay {
    bool read_only = false;
    std::vector<Shown> lower;
    std::vector<Shown> data;
    std::optional<Shown> upper;
    std::optional<Shown> work;
};

bool is_octal(char c) {
    return c >= '0' && c <= '7';
}

// The kernel's seq escapes: a backslash and three octal digits is a byte.
std::string octal_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        if (s[i] == '\\' && i + 3 < s.size() && is_octal(s[i + 1]) && is_octal(s[i + 2]) &&
            is_octal(s[i + 3])) {
            out += static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) |
                                     (s[i + 3] - '0'));
            i += 4;
        } else {
            out += s[i++];
        }
    }
    return out;
}

void take(std::string_view item, ShownOverlay& shown) {
    const base::Option o = base::parse_option(item);
    if (!o.value) {
        if (o.key == "ro" || o.key == "rw")
            shown.read_only = o.key == "ro";
        return;
    }
    const std::string value(*o.value);
    if (o.key == "lowerdir") {
        auto layers = overlay_lowerdir_split(value);
        for (auto& l : layers.lower)
            shown.lower.push_back({std::move(l)});
        for (auto& d : layers.data)
            shown.data.push_back({std::move(d)});
    } else if (o.key == "lowerdir+") {
        shown.lower.push_back({value});
    } else if (o.key == "datadir+") {
        shown.data.push_back({value});
    } else if (o.key == "upperdir") {
        shown.upper = Shown{value, true};
    } else if (o.key == "workdir") {
        shown.work = Shown{value, true};
    }
}

bool same(const Shown& s, const std::string& path) {
    return s.text == path || (s.either_way && overlay_unescape(s.text) == path);
}

std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

std::string list(const std::vector<std::string>& paths) {
    if (paths.empty())
        return "none";
    std::string out;
    for (const auto& p : paths)
        out += (out.empty() ? "" : ", ") + quoted(p);
    return out;
}

std::vector<std::string> readable(const std::vector<Shown>& shown) {
    std::vector<std::string> out;
    for (const auto& s : shown)
        out.push_back(s.text);
    return out;
}

std::optional<std::string> layers_differ(const char* what, const std::vector<Shown>& have,
                                         const std::vector<std::string>& want) {
    bool equal = have.size() == want.size();
    for (size_t i = 0; equal && i < want.size(); ++i)
        equal = same(have[i], want[i]);
    if (equal)
        return std::nullopt;
    return "has " + std::string(what) + " " + list(readable(have)) + ", the entry " + list(want);
}

std::optional<std::string> dir_differs(const char* what, const std::optional<Shown>& have,
                                       const std::optional<std::string>& want) {
    if (!have && !want)
        return std::nullopt;
    if (have && want && same(*have, *want))
        return std::nullopt;
    const std::string shown =
        have ? std::string(what) + " " + quoted(have->text) : "no " + std::string(what);
    return "has " + shown + ", the entry " + (want ? quoted(*want) : "none");
}

OverlayMatch compare(const OverlaySpec& want, const ShownOverlay& have) {
    if (auto d = layers_differ("lower layers", have.lower, want.lower))
        return {false, *d};
    if (auto d = layers_differ("data-only layers", have.data, want.data))
        return {false, *d};
    if (auto d = dir_differs("upperdir", have.upper, want.upper))
        return {false, *d};
    if (auto d = dir_differs("workdir", have.work, want.work))
        return {false, *d};
    // Without an upper layer the kernel makes the overlay read-only anyway.
    const bool want_ro = want.read_only || !want.upper;
    if (want_ro != have.read_only) {
        return {false, have.read_only ? "is read-only, the entry is not"
                                      : "is read-write, the entry says ro"};
    }
    return {true, "has the entry's layers" + std::string(want.upper ? ", upper and work" : "")};
}

ShownOverlay shown_from_text(std::string_view super_options) {
    ShownOverlay shown;
    size_t start = 0;
    while (start <= super_options.size()) {
        size_t comma = super_options.find(',', start);
        if (comma == std::string_view::npos)
            comma = super_options.size();
        take(octal_decode(super_options.substr(start, comma - start)), shown);
        start = comma + 1;
    }
    return shown;
}

}  // namespace

LowerdirLayers overlay_lowerdir_split(std::string_view v) {
    LowerdirLayers out;
    bool data = false;
    std::string part;
    for (size_t i = 0; i <= v.size(); ++i) {
        if (i < v.size() && v[i] == '\\' && i + 1 < v.size()) {
            part += v[++i];
            continue;
        }
        if (i < v.size() && v[i] != ':') {
            part += v[i];
            continue;
        }
        (data ? out.data : out.lower).push_back(std::move(part));
        part.clear();
        if (i + 1 < v.size() && v[i + 1] == ':') {
            data = true;
            ++i;
        }
    }
    return out;
}

std::string overlay_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size())
            ++i;
        out += s[i];
    }
    return out;
}

OverlayMatch overlay_matches(const OverlaySpec& want, std::string_view super_options) {
    return compare(want, shown_from_text(super_options));
}

bool overlay_uses_pair(std::string_view super_options, const std::string& upper,
                       const std::string& work) {
    const ShownOverlay shown = shown_from_text(super_options);
    return (shown.upper && same(*shown.upper, upper)) || (shown.work && same(*shown.work, work));
}

OverlayMatch overlay_matches(const OverlaySpec& want, const std::vector<std::string>& options,
                             bool read_only) {
    ShownOverlay shown;
    for (const auto& o : options)
        take(o, shown);
    shown.read_only = read_only;
    return compare(want, shown);
}

OverlayMatch overlay_entry_matches(const profile::MountEntry& entry,
                                   std::string_view super_options) {
    try {
        return overlay_matches(profile::overlay_spec_parse(entry), super_options);
    } catch (const std::invalid_argument& e) {
        return {false, std::string("the entry's options cannot be read: ") + e.what()};
    }
}

}  // namespace nsr::reconcile
