#include "profile/mount_entry.hpp"

#include <algorithm>
#include <charconv>

#include "profile/fstab.hpp"

namespace nsr::profile {
namespace {

// Whether VALUE holds a character escape() codes.
bool needs_escape(std::string_view value) {
    return std::any_of(value.begin(), value.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\\'; });
}

// VALUE escaped, appended to OUT. An empty field would vanish when the
// line is split on blanks, so it is written as the placeholder the format
// uses for "nothing here".
void append_field(std::string& out, std::string_view value, const char* placeholder) {
    if (value.empty())
        out += placeholder;
    else if (needs_escape(value))
        out += escape(value);
    else
        out += value;  // nothing to escape: no copy
}

void append_number(std::string& out, int n) {
    char digits[16];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end);
}

}  // namespace

bool MountEntry::operator==(const MountEntry& other) const {
    return name == other.name && dir == other.dir && type == other.type &&
           options == other.options && freq == other.freq && passno == other.passno;
}

std::string MountEntry::to_string() const {
    std::string out;
    append_to(out);
    return out;
}

void MountEntry::append_to(std::string& out) const {
    append_field(out, name, "none");
    out += ' ';
    append_field(out, dir, "none");
    out += ' ';
    append_field(out, type, "none");
    out += ' ';
    // The options joined straight into OUT; they are escaped as one field
    // (an escape kept whole may span a comma), so the rare line where that
    // changes something is redone.
    const size_t start = out.size();
    for (size_t i = 0; i < options.size(); ++i) {
        if (i > 0)
            out += ',';
        out += options[i];
    }
    if (out.size() == start || needs_escape(std::string_view(out).substr(start))) {
        const std::string joined = out.substr(start);
        out.resize(start);
        append_field(out, joined, "defaults");
    }
    out += ' ';
    append_number(out, freq);
    out += ' ';
    append_number(out, passno);
}

bool MountEntry::has_option(std::string_view option) const {
    for (const auto& o : options) {
        if (o == option) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> MountEntry::option_value(std::string_view key) const {
    if (const auto value = option_view(key))
        return std::string(*value);
    return std::nullopt;
}

std::optional<std::string_view> MountEntry::option_view(std::string_view key) const {
    for (const std::string_view o : options) {
        if (o.size() > key.size() && o.starts_with(key) && o[key.size()] == '=')
            return o.substr(key.size() + 1);
    }
    return std::nullopt;
}

}  // namespace nsr::profile
