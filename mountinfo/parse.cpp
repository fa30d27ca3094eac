// Reading and parsing text in /proc/PID/mountinfo format. Hand-written
// rather than libmount's mnt_table_parse_file: bench/README.md has the
// numbers, and snapd's rules (super options joined from all remaining fields,
// only four escapes) are not libmount's.
#include <algorithm>
#include <charconv>

#include "base/file.hpp"
#include "mountinfo/mount_table.hpp"

namespace nsr::mountinfo {

std::string unescape(std::string_view field) {
    if (field.find('\\') == std::string_view::npos) {
        return std::string(field);
    }
    std::string out;
    out.reserve(field.size());
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            const std::string_view code = field.substr(i + 1, 3);
            char decoded = 0;
            if (code == "040") {
                decoded = ' ';
            } else if (code == "011") {
                decoded = '\t';
            } else if (code == "012") {
                decoded = '\n';
            } else if (code == "134") {
                decoded = '\\';
            }
            if (decoded != 0) {
                out += decoded;
                i += 3;
                continue;
            }
        }
        out += field[i];
    }
    return out;
}

namespace {

template <typename Int>
bool parse_number(std::string_view text, Int& out) {
    if (text.empty() || text.front() < '0' || text.front() > '9') {
        return false;
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// Built by appending: GCC 12 reports a false -Wrestrict on "\"" + string.
std::string cannot_parse(std::string_view what, std::string_view field) {
    std::string message = "cannot parse ";
    message += what;
    message += ": \"";
    message += field;
    message += '"';
    return message;
}

// Splits LINE on runs of spaces (tabs are not separators) into FIELDS.
void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    size_t i = 0;
    while (true) {
        while (i < line.size() && line[i] == ' ') {
            ++i;
        }
        if (i == line.size()) {
            return;
        }
        const size_t end = std::min(line.find(' ', i), line.size());
        fields.push_back(line.substr(i, end - i));
        i = end;
    }
}

// Parses one line; returns an error message, empty on success.
std::string parse_line(const std::vector<std::string_view>& f, Mount& m) {
    if (f.size() < 10) {
        return "incorrect number of fields, expected at least 10 but found " +
               std::to_string(f.size());
    }
    if (!parse_number(f[0], m.id)) {
        return cannot_parse("mount ID", f[0]);
    }
    if (!parse_number(f[1], m.parent_id)) {
        return cannot_parse("parent mount ID", f[1]);
    }
    const size_t colon = f[2].find(':');
    if (colon == std::string_view::npos || !parse_number(f[2].substr(0, colon), m.major) ||
        !parse_number(f[2].substr(colon + 1), m.minor)) {
        return cannot_parse("device number", f[2]);
    }
    m.root = unescape(f[3]);
    m.mount_point = unescape(f[4]);
    m.mount_options = unescape(f[5]);
    size_t i = 6;
    for (; i < f.size() && f[i] != "-"; ++i) {
        m.optional_fields.push_back(unescape(f[i]));
    }
    if (i == f.size()) {
        return "list of optional fields is not terminated properly";
    }
    ++i;
    if (f.size() - i < 3) {
        return "incorrect number of tail fields, expected at least 3 but found " +
               std::to_string(f.size() - i);
    }
    m.fstype = unescape(f[i]);
    m.source = unescape(f[i + 1]);
    // Some filesystems put unescaped spaces in their super options: everything
    // left belongs to them.
    const std::string_view first = f[i + 2];
    const std::string_view last = f.back();
    const std::string_view super(first.data(), last.data() + last.size() - first.data());
    if (super.find("  ") == std::string_view::npos) {
        m.super_options = unescape(super);
    } else {
        std::string joined(f[i + 2]);
        for (size_t j = i + 3; j < f.size(); ++j) {
            joined += ' ';
            joined += f[j];
        }
        m.super_options = unescape(joined);
    }
    return {};
}

}  // namespace

std::vector<Mount> parse_mountinfo(std::string_view text, const std::string& source) {
    std::vector<Mount> mounts;
    std::vector<std::string_view> fields;
    size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        split_fields(line, fields);
        Mount& m = mounts.emplace_back();
        if (std::string error = parse_line(fields, m); !error.empty()) {
            throw base::InputError(source, static_cast<int>(line_no), error);
        }
    }
    return mounts;
}

MountTable MountTable::parse(std::string_view text, const std::string& source) {
    MountTable table;
    table.mounts_ = parse_mountinfo(text, source);
    table.index_all(&source);
    return table;
}

MountTable MountTable::from_file(const std::string& path) {
    // A table of 10^5 mounts is about 15 MiB of text.
    constexpr size_t kMaxMountinfoBytes = 256 << 20;
    return parse(base::read_file(path, kMaxMountinfoBytes), path);
}

MountTable MountTable::from_self() {
    return from_file("/proc/self/mountinfo");
}

}  // namespace nsr::mountinfo
