#include "profile/option_maps.hpp"

#include <sys/mount.h>

#include <algorithm>

namespace nsr::profile {

namespace {

constexpr OptionMapEntry kLinux[] = {
    {"ro", MS_RDONLY, false},
    {"rw", MS_RDONLY, true},
    {"exec", MS_NOEXEC, true},
    {"noexec", MS_NOEXEC, false},
    {"suid", MS_NOSUID, true},
    {"nosuid", MS_NOSUID, false},
    {"dev", MS_NODEV, true},
    {"nodev", MS_NODEV, false},
    {"sync", MS_SYNCHRONOUS, false},
    {"async", MS_SYNCHRONOUS, true},
    {"dirsync", MS_DIRSYNC, false},
    {"remount", MS_REMOUNT, false},
    {"bind", MS_BIND, false},
    {"rbind", MS_BIND | MS_REC, false},
    {"silent", MS_SILENT, false},
    {"loud", MS_SILENT, true},
    {"mand", MS_MANDLOCK, false},
    {"nomand", MS_MANDLOCK, true},
    {"atime", MS_NOATIME, true},
    {"noatime", MS_NOATIME, false},
    {"iversion", MS_I_VERSION, false},
    {"noiversion", MS_I_VERSION, true},
    {"diratime", MS_NODIRATIME, true},
    {"nodiratime", MS_NODIRATIME, false},
    {"relatime", MS_RELATIME, false},
    {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, false},
    {"nostrictatime", MS_STRICTATIME, true},
    {"lazytime", MS_LAZYTIME, false},
    {"nolazytime", MS_LAZYTIME, true},
    {"unbindable", MS_UNBINDABLE, false},
    {"runbindable", MS_UNBINDABLE | MS_REC, false},
    {"private", MS_PRIVATE, false},
    {"rprivate", MS_PRIVATE | MS_REC, false},
    {"slave", MS_SLAVE, false},
    {"rslave", MS_SLAVE | MS_REC, false},
    {"shared", MS_SHARED, false},
    {"rshared", MS_SHARED | MS_REC, false},
    {"symfollow", MS_NOSYMFOLLOW, true},
    {"nosymfollow", MS_NOSYMFOLLOW, false},
};

// The user-space map's names; those libmount marks "=" (takes a value) or
// "[=]" (may take one) match with a value or without, the others only
// without one.
struct UserspaceEntry {
    std::string_view name;
    bool takes_value;
};
constexpr UserspaceEntry kUserspace[] = {
    {"auto", false},
    {"noauto", false},
    {"user", true},
    {"nouser", false},
    {"users", false},
    {"nousers", false},
    {"owner", false},
    {"noowner", false},
    {"group", false},
    {"nogroup", false},
    {"_netdev", false},
    {"comment", true},
    {"loop", true},
    {"offset", true},
    {"sizelimit", true},
    {"encryption", true},
    {"nofail", false},
    {"uhelper", true},
    {"helper", true},
    {"verity.hashdevice", true},
    {"verity.roothash", true},
    {"verity.hashoffset", true},
    {"verity.roothashfile", true},
    {"verity.fecdevice", true},
    {"verity.fecoffset", true},
    {"verity.fecroots", true},
    {"verity.roothashsig", true},
    {"verity.oncorruption", true},
};

// Entries of the user-space map that match every option they begin.
constexpr std::string_view kUserspacePrefixes[] = {"x-", "X-"};

}  // namespace

std::span<const OptionMapEntry> linux_option_map() {
    return kLinux;
}

const OptionMapEntry* find_linux_option(std::string_view name) {
    return find_named_flag(kLinux, name);
}

bool is_userspace_option(std::string_view name, bool valued) {
    if (std::ranges::any_of(kUserspacePrefixes,
                            [&](std::string_view p) { return name.starts_with(p); }))
        return true;
    const auto it = std::ranges::find(kUserspace, name, &UserspaceEntry::name);
    return it != std::end(kUserspace) && (it->takes_value || !valued);
}

}  // namespace nsr::profile
