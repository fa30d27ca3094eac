#include "profile/mount_entry.hpp"

#include "profile/fstab.hpp"

namespace nsr::profile {
namespace {

std::string join(const std::vector<std::string>& parts, char sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            out += sep;
        }
        out += parts[i];
    }
    return out;
}

// An empty field would vanish when the line is split on blanks, so it is
// written as the placeholder the format uses for "nothing here".
std::string field_or(const std::string& value, const char* placeholder) {
    return value.empty() ? placeholder : escape(value);
}

}  // namespace

bool MountEntry::operator==(const MountEntry& other) const {
    return name == other.name && dir == other.dir && type == other.type &&
           options == other.options && freq == other.freq && passno == other.passno;
}

std::string MountEntry::to_string() const {
    return field_or(name, "none") + ' ' + field_or(dir, "none") + ' ' + field_or(type, "none") +
           ' ' + field_or(join(options, ','), "defaults") + ' ' + std::to_string(freq) + ' ' +
           std::to_string(passno);
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
    for (const auto& o : options) {
        if (o.size() > key.size() && o.compare(0, key.size(), key) == 0 && o[key.size()] == '=') {
            return o.substr(key.size() + 1);
        }
    }
    return std::nullopt;
}

}  // namespace nsr::profile
