#include "profile/flags.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <string_view>

#include "profile/option_maps.hpp"

namespace nsr::profile {
namespace {

// Where snapd and libmount's Linux option map disagree, snapd wins, because
// profiles are written for snapd:
//  - libmount does not know "acl" (MS_POSIXACL) or "move" (MS_MOVE).
//  - libmount reads "unbindable"/"runbindable" as MS_UNBINDABLE, but snapd
//    does not recognise them and passes them to the filesystem as data.
//  - libmount files "defaults" in its user-space map and drops it; snapd
//    passes it as data too.
struct Override {
    std::string_view option;
    unsigned long flags;
    bool is_data;
};
constexpr Override kOverrides[] = {
    {"acl", MS_POSIXACL, false}, {"move", MS_MOVE, false}, {"defaults", 0, true},
    {"unbindable", 0, true},     {"runbindable", 0, true},
};

void append(std::string& list, std::string_view item) {
    if (!list.empty()) {
        list += ',';
    }
    list += item;
}

}  // namespace

// Choices for options neither snapd's table nor the overrides cover:
//  - Negations in libmount's map (rw, suid, dev, exec, async, atime, loud,
//    ...) are accepted and set nothing. snapd treats "rw" that way, so "ro,rw"
//    stays read-only as in snapd; the other negations name kernel defaults,
//    and as filesystem data most filesystems would reject them.
//  - Other flags in libmount's map that snapd does not list (lazytime,
//    iversion, nosymfollow) become their MS_* flags; the kernel accepts them
//    as data only for some filesystems. A flag given a value ("ro=1") is
//    data, as libmount has it.
//  - User-space options (x-*, user, nofail, noauto, comment=, ...) are dropped.
//    snapd passes them as data, where the kernel rejects them; mount(8) never
//    hands them to the kernel, and "user" implying nosuid,nodev,noexec is a
//    rule for unprivileged mount(8) callers, not for us.
MountFlags options_to_flags(const std::vector<std::string>& options) {
    MountFlags out;
    for (const auto& option : options) {
        if (option.starts_with("x-snapd.")) {
            continue;
        }
        const Override* override = nullptr;
        for (const auto& o : kOverrides) {
            if (o.option == option) {
                override = &o;
            }
        }
        if (override != nullptr) {
            out.flags |= override->flags;
            if (override->is_data) {
                append(out.data, option);
            }
            continue;
        }
        const size_t eq = option.find('=');
        const std::string_view name = std::string_view(option).substr(0, eq);
        const bool valued = eq != std::string::npos && eq + 1 < option.size();
        const OptionMapEntry* vfs = valued ? nullptr : find_linux_option(name);
        if (vfs) {
            // Starting from no flags, a negation clears nothing: it is a no-op.
            if (!vfs->clear) {
                out.flags |= vfs->bits;
            }
        } else if (!is_userspace_option(name, valued)) {
            append(out.data, option);
        }
    }
    return out;
}

// libmount names every map entry whose bits are all set, so MS_BIND|MS_REC
// comes out as "bind,rbind"; only the recursive form is kept. Negations
// name no flag.
std::string flags_to_options(unsigned long flags) {
    std::vector<std::string_view> names;
    for (const OptionMapEntry& e : linux_option_map()) {
        if (!e.clear && e.bits != 0 && (flags & e.bits) == e.bits) {
            names.push_back(e.name);
        }
    }
    std::string out;
    for (const std::string_view name : names) {
        const bool recursive_named = std::ranges::any_of(names, [&](std::string_view other) {
            return other.size() == name.size() + 1 && other.front() == 'r' &&
                   other.substr(1) == name;
        });
        if (!recursive_named) {
            append(out, name);
        }
    }
    if (flags & MS_MOVE) {
        append(out, "move");
    }
    if (flags & MS_POSIXACL) {
        append(out, "acl");
    }
    return out;
}

struct mount_attr to_mount_attr(unsigned long ms) {
    struct mount_attr a {};
    if (ms & MS_RDONLY)
        a.attr_set |= MOUNT_ATTR_RDONLY;
    if (ms & MS_NOSUID)
        a.attr_set |= MOUNT_ATTR_NOSUID;
    if (ms & MS_NODEV)
        a.attr_set |= MOUNT_ATTR_NODEV;
    if (ms & MS_NOEXEC)
        a.attr_set |= MOUNT_ATTR_NOEXEC;
    if (ms & MS_NODIRATIME)
        a.attr_set |= MOUNT_ATTR_NODIRATIME;
    if (ms & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
        a.attr_clr |= MOUNT_ATTR__ATIME;
        if (ms & MS_NOATIME)
            a.attr_set |= MOUNT_ATTR_NOATIME;
        if (ms & MS_STRICTATIME)
            a.attr_set |= MOUNT_ATTR_STRICTATIME;
    }
    return a;
}

}  // namespace nsr::profile
