// One line of a mount profile and the ordered list of them, in snapd's
// fstab-like format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nsr::profile {

struct MountEntry {
    std::string name;  // fs_spec: the source, or "none"/"tmpfs"/...
    std::string dir;   // mount point
    std::string type;  // "none" for binds, "tmpfs", "overlay", ...
    std::vector<std::string> options;
    int freq = 0;
    int passno = 0;
    // 1-based line in the file the entry came from; 0 when made in memory.
    // Not part of the entry's identity.
    int line = 0;

    // snapd's equality: every field, options element by element in order.
    bool operator==(const MountEntry& other) const;

    // The fstab line, fields escaped, "none"/"defaults" for empty fields.
    std::string to_string() const;
    // The same, appended to OUT.
    void append_to(std::string& out) const;

    bool has_option(std::string_view option) const;
    // Value of the first "key=value" option, if any.
    std::optional<std::string> option_value(std::string_view key) const;
    // The same, viewed in the option's string (valid while it is).
    std::optional<std::string_view> option_view(std::string_view key) const;
};

struct MountProfile {
    std::vector<MountEntry> entries;
    bool operator==(const MountProfile& other) const = default;
};

}  // namespace nsr::profile
