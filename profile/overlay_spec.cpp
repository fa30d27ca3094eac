#include "profile/overlay_spec.hpp"

#include <sys/mount.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <utility>

#include "base/options.hpp"
#include "base/path.hpp"
#include "base/quote.hpp"
#include "profile/escape_table.hpp"
#include "profile/flags.hpp"

namespace nsr::profile {

using base::quote;

namespace {

// Inside one option a ',' would end the option and a ':' the layer, so
// both are written in octal, as the kernel writes a ',' in mountinfo. The
// backslash is escaped too, so that a path holding "\054" literally can be
// written ("\134054").
constexpr std::array<Escape, 3> kEscapes{{{',', "\\054"}, {':', "\\072"}, {'\\', "\\134"}}};

constexpr std::string_view kStaleOption = "x-nsr.volatile-stale";

std::string layer(std::string_view text, std::string_view option) {
    if (text.empty())
        throw std::invalid_argument("empty layer in " + quote(option));
    return overlay_path_decode(text);
}

// lowerdir=a:b::c:d: the layers before "::" are lower layers, the ones
// after it data-only layers.
void split_lowerdir(std::string_view value, std::string_view option, OverlaySpec& spec) {
    bool data = false;
    size_t start = 0;
    for (;;) {
        const size_t colon = value.find(':', start);
        const std::string_view part = value.substr(start, colon - start);
        if (part.empty() && colon != std::string_view::npos && !data && start > 0 &&
            value[start - 1] == ':') {
            // The second ':' of "::" (not a leading ':').
            data = true;
            start = colon + 1;
            continue;
        }
        (data ? spec.data : spec.lower).push_back(layer(part, option));
        if (colon == std::string_view::npos)
            return;
        start = colon + 1;
    }
}

// PATH is DIR or lies below it (both clean).
bool at_or_under(const std::string& path, const std::string& dir) {
    if (path == dir || dir == "/")
        return true;
    return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

// The clean upperdir and workdir of E, none when it has no upper (or is
// not an overlay, or cannot be parsed).
std::optional<std::pair<std::string, std::string>> pair_of(const MountEntry& e) noexcept {
    if (e.type != "overlay")
        return std::nullopt;
    try {
        OverlaySpec spec = overlay_spec_parse(e);
        if (!spec.upper || !spec.work)
            return std::nullopt;
        return std::pair{base::clean_path(*spec.upper), base::clean_path(*spec.work)};
    } catch (const std::exception&) {
        // An entry that cannot be read cannot be mounted either: it shares
        // nothing with a live overlay.
        return std::nullopt;
    }
}

}  // namespace

bool overlay_entries_share_pair(const MountEntry& a, const MountEntry& b) noexcept {
    const auto pa = pair_of(a);
    const auto pb = pair_of(b);
    if (!pa || !pb)
        return false;
    for (const std::string* x : {&pa->first, &pa->second}) {
        if (*x == pb->first || *x == pb->second)
            return true;
    }
    return false;
}

bool overlay_has_upper(const MountEntry& e) noexcept {
    return pair_of(e).has_value();
}

std::string overlay_path_decode(std::string_view text) {
    return table_unescape(text, kEscapes);
}

std::string overlay_path_encode(std::string_view path) {
    return table_escape(path, kEscapes);
}

OverlaySpec overlay_spec_parse(const MountEntry& entry) {
    OverlaySpec spec;
    for (const auto& item : entry.options) {
        const base::Option o = base::parse_option(item);
        if (o.key != kStaleOption || !o.value)
            continue;
        if (*o.value == "refuse")
            spec.stale = VolatileStale::Refuse;
        else if (*o.value == "quarantine")
            spec.stale = VolatileStale::Quarantine;
        else
            throw std::invalid_argument("invalid " + std::string(kStaleOption) + " " +
                                        quote(*o.value) + ": expected refuse or quarantine");
    }
    const MountFlags flags = options_to_flags(entry.options);
    spec.read_only = (flags.flags & MS_RDONLY) != 0;
    bool legacy = false;    // lowerdir= seen
    bool appended = false;  // lowerdir+= seen
    for (const base::Option& o : base::OptionList(flags.data)) {
        if (!o.value) {
            if (o.key == "volatile")
                spec.is_volatile = true;
            else
                spec.other.emplace_back(o.text);
            continue;
        }
        if (o.key == "lowerdir") {
            if (legacy)
                throw std::invalid_argument("lowerdir= is given twice");
            if (appended)
                throw std::invalid_argument("lowerdir= and lowerdir+= cannot be mixed");
            legacy = true;
            split_lowerdir(*o.value, o.text, spec);
        } else if (o.key == "lowerdir+") {
            if (legacy)
                throw std::invalid_argument("lowerdir= and lowerdir+= cannot be mixed");
            if (!spec.data.empty())
                throw std::invalid_argument(quote(o.text) + " comes after a data-only layer");
            appended = true;
            spec.lower.push_back(layer(*o.value, o.text));
        } else if (o.key == "datadir+") {
            spec.data.push_back(layer(*o.value, o.text));
        } else if (o.key == "upperdir") {
            spec.upper = layer(*o.value, o.text);
        } else if (o.key == "workdir") {
            spec.work = layer(*o.value, o.text);
        } else {
            spec.other.emplace_back(o.text);
        }
    }
    return spec;
}

std::vector<std::string> overlay_spec_problems(const OverlaySpec& spec, const std::string& dir) {
    std::vector<std::string> problems;
    if (spec.lower.empty())
        problems.push_back("overlay " + quote(dir) + " has no lower layer");
    if (spec.upper.has_value() != spec.work.has_value()) {
        problems.push_back("overlay " + quote(dir) +
                           " needs both upperdir and workdir, or neither");
    }
    if (spec.upper && spec.work) {
        const std::string& upper = *spec.upper;
        const std::string& work = *spec.work;
        if (at_or_under(work, upper) || at_or_under(upper, work)) {
            problems.push_back("overlay " + quote(dir) + ": workdir " + quote(work) +
                               " and upperdir " + quote(upper) + " must not contain each other");
        }
    }
    for (const auto& [name, path] : {std::pair{"upperdir", spec.upper}, {"workdir", spec.work}}) {
        if (path && at_or_under(*path, dir)) {
            problems.push_back("overlay " + quote(dir) + ": " + name + " " + quote(*path) +
                               " must not be at or under the mount point");
        }
    }
    if (spec.is_volatile && !spec.upper)
        problems.push_back("overlay " + quote(dir) + ": volatile needs an upperdir");
    if (!spec.is_volatile && spec.stale) {
        problems.push_back("overlay " + quote(dir) + ": " + std::string(kStaleOption) +
                           " is only for volatile overlays");
    }
    return problems;
}

}  // namespace nsr::profile
