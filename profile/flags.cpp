#include "profile/flags.hpp"

#include <libmount/libmount.h>
#include <sys/mount.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string_view>

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

enum class Class { User, Vfs, Data };

struct FreeDeleter {
    void operator()(char* p) const { std::free(p); }
};
using CString = std::unique_ptr<char, FreeDeleter>;

const libmnt_optmap* linux_map() {
    return mnt_get_builtin_optmap(MNT_LINUX_MAP);
}

// Which of libmount's maps knows OPTION: the Linux (VFS) map, the user-space
// map (x-*, user, nofail, comment=, loop=, ...), or neither (filesystem data).
Class classify(const std::string& option) {
    char* user = nullptr;
    char* vfs = nullptr;
    char* fs = nullptr;
    if (mnt_split_optstr(option.c_str(), &user, &vfs, &fs, 0, 0) != 0) {
        return Class::Data;
    }
    CString u(user), v(vfs), f(fs);
    if (v) {
        return Class::Vfs;
    }
    return u ? Class::User : Class::Data;
}

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
//    as data only for some filesystems.
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
        switch (classify(option)) {
            case Class::Vfs: {
                // Starting from no flags, a negation clears nothing: it is a no-op.
                unsigned long flags = 0;
                mnt_optstr_get_flags(option.c_str(), &flags, linux_map());
                out.flags |= flags;
                break;
            }
            case Class::User:
                break;
            case Class::Data:
                append(out.data, option);
                break;
        }
    }
    return out;
}

// libmount names every map entry whose bits are all set, so MS_BIND|MS_REC
// comes out as "bind,rbind"; only the recursive form is kept. It also always
// adds "rw" when MS_RDONLY is clear, which names no flag and is left out.
std::string flags_to_options(unsigned long flags) {
    char* raw = nullptr;
    std::string named;
    if (mnt_optstr_apply_flags(&raw, flags, linux_map()) == 0 && raw != nullptr) {
        named = raw;
    }
    std::free(raw);

    std::vector<std::string> names;
    for (size_t start = 0; start < named.size();) {
        size_t comma = std::min(named.find(',', start), named.size());
        names.push_back(named.substr(start, comma - start));
        start = comma + 1;
    }
    std::string out;
    for (const auto& name : names) {
        if (name == "rw" || std::ranges::find(names, "r" + name) != names.end()) {
            continue;
        }
        append(out, name);
    }
    if (flags & MS_MOVE) {
        append(out, "move");
    }
    if (flags & MS_POSIXACL) {
        append(out, "acl");
    }
    return out;
}

}  // namespace nsr::profile
