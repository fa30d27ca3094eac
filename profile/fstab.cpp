#include "profile/fstab.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "base/quote.hpp"

namespace nsr::profile {
namespace {

// A malformed line, before the file and line number are known.
struct LineError {
    std::string message;
};

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// Up to seven fields of a line (one more than a valid line has, so that
// too many can be told), and how many the line has.
struct Fields {
    std::array<std::string_view, 7> at;
    size_t count = 0;
    void push_back(std::string_view f) {
        if (count < at.size())
            at[count] = f;
        ++count;
    }
    size_t size() const { return count; }
    std::string_view operator[](size_t i) const { return at[i]; }
};

// Fields are runs of anything but spaces and tabs; the first field that
// starts with '#' opens a comment that runs to the end of the line.
Fields split_fields(std::string_view line) {
    Fields fields;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_blank(line[i])) {
            ++i;
        }
        size_t start = i;
        while (i < line.size() && !is_blank(line[i])) {
            ++i;
        }
        if (start == i) {
            break;
        }
        if (line[start] == '#') {
            break;
        }
        fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

std::vector<std::string> split_options(std::string_view joined) {
    std::vector<std::string> options;
    options.reserve(static_cast<size_t>(std::count(joined.begin(), joined.end(), ',')) + 1);
    size_t start = 0;
    for (;;) {
        size_t comma = joined.find(',', start);
        if (comma == std::string_view::npos) {
            options.emplace_back(joined.substr(start));
            return options;
        }
        options.emplace_back(joined.substr(start, comma - start));
        start = comma + 1;
    }
}

// Go's strconv.Atoi: an optional sign and decimal digits that fit the type.
int parse_int(std::string_view s, const char* what) {
    std::string_view digits = s;
    if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
        digits.remove_prefix(1);
    }
    bool all_digits = !digits.empty();
    for (char c : digits) {
        all_digits = all_digits && c >= '0' && c <= '9';
    }
    // from_chars takes a '-' but not a '+'; the shape check above keeps it
    // from taking "+-1" either.
    std::string_view number = (!s.empty() && s.front() == '+') ? digits : s;
    int value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (!all_digits || ec != std::errc{} || end != number.data() + number.size()) {
        throw LineError{std::string("cannot parse ") + what + ": " + base::quote(s)};
    }
    return value;
}

// Fills E (a fresh entry) from LINE.
void parse_line(std::string_view line, MountEntry& e) {
    auto fields = split_fields(line);
    if (fields.size() < 3 || fields.size() > 6) {
        throw LineError{"expected between 3 and 6 fields, found " + std::to_string(fields.size())};
    }
    static constexpr const char* kFieldNames[] = {"source", "mount point", "type", "options"};
    for (size_t i = 0; i < fields.size() && i < 4; ++i) {
        if (has_nul(fields[i]))
            throw LineError{std::string("NUL byte in the ") + kFieldNames[i]};
    }
    e.name = unescape(fields[0]);
    e.dir = unescape(fields[1]);
    e.type = unescape(fields[2]);
    if (fields.size() > 3) {
        e.options = split_options(unescape(fields[3]));
    }
    // snapd does not unescape the numeric fields, so neither do we.
    if (fields.size() > 4) {
        e.freq = parse_int(fields[4], "dump frequency");
    }
    if (fields.size() > 5) {
        e.passno = parse_int(fields[5], "check pass number");
    }
}

// The size of E's line, '\n' included, when no field needs an escape.
size_t line_size(const MountEntry& e) {
    auto field = [](std::string_view value, std::string_view placeholder) {
        return value.empty() ? placeholder.size() : value.size();
    };
    auto digits = [](int n) {
        char buf[16];
        return static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf);
    };
    size_t options = e.options.empty() ? 0 : e.options.size() - 1;  // the commas
    for (const std::string& o : e.options)
        options += o.size();
    return field(e.name, "none") + field(e.dir, "none") + field(e.type, "none") +
           (options == 0 ? std::string_view("defaults").size() : options) + digits(e.freq) +
           digits(e.passno) + 6;
}

}  // namespace

MountProfile parse_profile(std::string_view text, const std::string& source,
                           std::vector<Problem>* problems) {
    MountProfile profile;
    // One entry per line at most: no copies as the list grows.
    profile.entries.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
    int number = 0;
    while (!text.empty()) {
        ++number;
        size_t newline = text.find('\n');
        std::string_view raw = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        try {
            if (raw.size() > kMaxLineBytes) {
                throw LineError{"line is longer than 64 KiB (" + std::to_string(raw.size()) +
                                " bytes)"};
            }
            std::string_view line = trim(raw);
            if (line.empty() || line.front() == '#') {
                continue;
            }
            // Made in its place: no entry moved, none destroyed.
            MountEntry& e = profile.entries.emplace_back();
            try {
                parse_line(line, e);
            } catch (const LineError&) {
                profile.entries.pop_back();
                throw;
            }
            e.line = number;
        } catch (const LineError& err) {
            if (problems == nullptr) {
                throw base::InputError(source, number, err.message);
            }
            problems->push_back({number, err.message});
        }
    }
    return profile;
}

std::string format_profile(const MountProfile& profile) {
    std::vector<const MountEntry*> entries;
    entries.reserve(profile.entries.size());
    for (const auto& e : profile.entries)
        entries.push_back(&e);
    return format_entries(entries);
}

std::string format_entries(std::span<const MountEntry* const> entries, size_t spare) {
    // Sized first (escapes aside, which are rare): grown by doubling, the
    // text would hold up to twice its size, and its last two buffers both
    // while it grows.
    size_t size = spare;
    for (const MountEntry* e : entries)
        size += line_size(*e);
    std::string out;
    out.reserve(size);
    for (const MountEntry* e : entries) {
        e->append_to(out);
        out += '\n';
    }
    return out;
}

}  // namespace nsr::profile
