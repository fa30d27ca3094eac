#include "profile/overlay_spec.hpp"

#include <sys/mount.h>

#include <array>
#include <stdexcept>

#include "base/quote.hpp"
#include "profile/flags.hpp"

namespace nsr::profile {

using base::quote;

namespace {

struct Escape {
    char plain;
    std::string_view coded;
};

// Inside one option a ',' would end the option and a ':' the layer, so
// both are written in octal, as the kernel writes a ',' in mountinfo. The
// backslash is escaped too, so that a path holding "\054" literally can be
// written ("\134054").
constexpr std::array<Escape, 3> kEscapes{{{',', "\\054"}, {':', "\\072"}, {'\\', "\\134"}}};

constexpr std::string_view kStaleOption = "x-nsr.volatile-stale";

// The option's value when OPTION is "KEY=value".
std::optional<std::string_view> value_of(std::string_view option, std::string_view key) {
    if (option.size() > key.size() && option.starts_with(key) && option[key.size()] == '=')
        return option.substr(key.size() + 1);
    return std::nullopt;
}

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

}  // namespace

std::string overlay_path_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        bool decoded = false;
        if (text[i] == '\\') {
            for (const auto& e : kEscapes) {
                if (text.substr(i, e.coded.size()) == e.coded) {
                    out += e.plain;
                    i += e.coded.size();
                    decoded = true;
                    break;
                }
            }
        }
        if (!decoded)
            out += text[i++];
    }
    return out;
}

std::string overlay_path_encode(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (char c : path) {
        bool encoded = false;
        for (const auto& e : kEscapes) {
            if (c == e.plain) {
                out += e.coded;
                encoded = true;
                break;
            }
        }
        if (!encoded)
            out += c;
    }
    return out;
}

OverlaySpec overlay_spec_parse(const MountEntry& entry) {
    OverlaySpec spec;
    for (const auto& o : entry.options) {
        if (auto v = value_of(o, kStaleOption)) {
            if (*v == "refuse")
                spec.stale = VolatileStale::Refuse;
            else if (*v == "quarantine")
                spec.stale = VolatileStale::Quarantine;
            else
                throw std::invalid_argument("invalid " + std::string(kStaleOption) + " " +
                                            quote(*v) + ": expected refuse or quarantine");
        }
    }
    const MountFlags flags = options_to_flags(entry.options);
    spec.read_only = (flags.flags & MS_RDONLY) != 0;
    bool legacy = false;    // lowerdir= seen
    bool appended = false;  // lowerdir+= seen
    size_t start = 0;
    const std::string& data = flags.data;
    while (start < data.size()) {
        size_t comma = data.find(',', start);
        if (comma == std::string::npos)
            comma = data.size();
        const std::string_view o(data.data() + start, comma - start);
        start = comma + 1;
        if (auto v = value_of(o, "lowerdir")) {
            if (legacy)
                throw std::invalid_argument("lowerdir= is given twice");
            if (appended)
                throw std::invalid_argument("lowerdir= and lowerdir+= cannot be mixed");
            legacy = true;
            split_lowerdir(*v, o, spec);
        } else if (auto v = value_of(o, "lowerdir+")) {
            if (legacy)
                throw std::invalid_argument("lowerdir= and lowerdir+= cannot be mixed");
            if (!spec.data.empty())
                throw std::invalid_argument(quote(o) + " comes after a data-only layer");
            appended = true;
            spec.lower.push_back(layer(*v, o));
        } else if (auto v = value_of(o, "datadir+")) {
            spec.data.push_back(layer(*v, o));
        } else if (auto v = value_of(o, "upperdir")) {
            spec.upper = layer(*v, o);
        } else if (auto v = value_of(o, "workdir")) {
            spec.work = layer(*v, o);
        } else if (o == "volatile") {
            spec.is_volatile = true;
        } else if (!o.empty()) {
            spec.other.emplace_back(o);
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
