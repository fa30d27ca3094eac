#include "reconcile/needed.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <tuple>
#include <vector>

#include "base/options.hpp"
#include "base/path.hpp"
#include "profile/bind_flags.hpp"
#include "profile/flags.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/overlay_match.hpp"

namespace nsr::reconcile {

using base::clean_path;
using mountinfo::Mount;
using profile::EntryKind;
using profile::MountEntry;

namespace {

std::string dev_text(const Mount& m) {
    return std::to_string(m.major) + ":" + std::to_string(m.minor);
}

struct Match {
    bool matches;
    std::string why;
};

// mountinfo's spelling of the kBindAttrs among ATTRS.
std::string attrs_text(uint64_t attrs) {
    std::string s = attrs & MOUNT_ATTR_RDONLY ? "ro" : "rw";
    for (auto [bit, name] : {std::pair{MOUNT_ATTR_NOSUID, ",nosuid"},
                             {MOUNT_ATTR_NODEV, ",nodev"},
                             {MOUNT_ATTR_NOEXEC, ",noexec"},
                             {MOUNT_ATTR_NODIRATIME, ",nodiratime"}}) {
        if (attrs & bit)
            s += name;
    }
    const uint64_t atime = attrs & MOUNT_ATTR__ATIME;
    s += atime == MOUNT_ATTR_NOATIME ? ",noatime" : atime == MOUNT_ATTR_RELATIME ? ",relatime" : "";
    return s;
}

// A bind's mount at DIR has the flags a fresh bind of E would get (TOP:
// its flags, SOURCE: those of the mount holding the source): the access
// flags and the atime ones, so that a change between bind,rw and bind,ro
// of one source is made, whichever way it goes.
Match flags_match(const MountEntry& e, const std::string& dir, uint64_t source, uint64_t top) {
    const uint64_t want = profile::bind_attrs(e, source);
    const uint64_t have = top & profile::kBindAttrs;
    if (want == have)
        return {true, ""};
    return {false, "mounted at " + dir + " is " + attrs_text(have) + ", a fresh bind would be " +
                       attrs_text(want)};
}

// A bind of SRC is in place at DIR when the visible mount there shows the
// same filesystem (st_dev) and the same directory of it (root) as SRC, with
// the flags a fresh bind would get. SOURCES: the view the source is
// resolved in.
Match bind_matches(const MountEntry& e, const std::string& dir, const Mount& top,
                   MountView& sources) {
    auto src = sources.resolve(clean_path(e.name));
    if (!src)
        return {false, "source " + e.name + " is not under any mount"};
    if (src->mount.dev() != top.dev() || src->path_in_fs != top.root) {
        return {false, "mounted at " + dir + " is " + dev_text(top) + " " + top.root +
                           ", the source is " + dev_text(src->mount) + " " + src->path_in_fs};
    }
    if (Match m = flags_match(e, dir, src->mount.attrs(), top.attrs()); !m.matches)
        return m;
    return {true, e.name + " is mounted at " + dir + " (" + dev_text(top) + " " + top.root + ")"};
}

// Octal for mode=, decimal otherwise; tmpfs shows mode=755 for mode=0755.
std::optional<unsigned long> number(const std::string& v, int base) {
    if (v.empty())
        return std::nullopt;
    char* end = nullptr;
    unsigned long n = std::strtoul(v.c_str(), &end, base);
    if (*end != '\0')
        return std::nullopt;
    return n;
}

// The value of KEY=VALUE in an entry's data; a bare KEY does not count.
std::optional<std::string> data_option(const std::string& data, std::string_view key) {
    for (const base::Option& opt : base::OptionList(data)) {
        if (opt.key == key && opt.value)
            return std::string(*opt.value);
    }
    return std::nullopt;
}

// A tmpfs size= value in pages, read as the kernel reads it (memparse: any
// base, a K/M/G/T/P/E suffix, or a percentage of RAM), rounded up to pages.
std::optional<unsigned long long> tmpfs_pages(const std::string& v) {
    const unsigned long long page = static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE));
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.c_str(), &end, 0);
    if (end == v.c_str())
        return std::nullopt;
    constexpr std::string_view kSuffixes = "KMGTPE";
    const char suffix = static_cast<char>(std::toupper(static_cast<unsigned char>(*end)));
    if (auto pos = kSuffixes.find(suffix); pos != std::string_view::npos) {
        n <<= 10 * (pos + 1);
        ++end;
    }
    if (*end == '%') {
        n = n * page * static_cast<unsigned long long>(::sysconf(_SC_PHYS_PAGES)) / 100;
        ++end;
    }
    if (*end != '\0')
        return std::nullopt;
    return (n + page - 1) / page;
}

// A filesystem mount is in place when the visible mount at DIR has the
// entry's type and source and the super options the entry sets.
Match filesystem_matches(const MountEntry& e, const std::string& dir, const Mount& top) {
    if (top.fstype != e.type) {
        return {false, "mounted at " + dir + " is " + top.fstype + ", not " + e.type};
    }
    if (top.source != e.name) {
        return {false, "mounted at " + dir + " is from " + top.source + ", not " + e.name};
    }
    const std::string data = profile::options_to_flags(e.options).data;
    if (e.type == "tmpfs") {
        // The kernel leaves out options at their defaults (mode 1777, uid
        // and gid 0), so a missing one means the default.
        for (auto [key, base, dflt] :
             {std::tuple{"mode", 8, "1777"}, {"uid", 10, "0"}, {"gid", 10, "0"}}) {
            auto want = data_option(data, key);
            if (!want)
                continue;
            const std::string have = top.super_option(key).value_or(dflt);
            if (number(have, base) != number(*want, base)) {
                return {false, "tmpfs at " + dir + " has " + key + "=" + have +
                                   ", the entry sets " + *want};
            }
        }
        // Left out, the size is the default: half of RAM.
        if (auto want = data_option(data, "size")) {
            auto have = top.super_option("size");
            auto have_pages = have ? tmpfs_pages(*have)
                                   : static_cast<unsigned long long>(::sysconf(_SC_PHYS_PAGES)) / 2;
            if (tmpfs_pages(*want) != have_pages) {
                return {false, "tmpfs at " + dir + " has size=" + have.value_or("(default)") +
                                   ", the entry sets " + *want};
            }
        }
    } else if (e.type == "overlay") {
        if (auto m = overlay_entry_matches(e, top.super_options); !m.matches)
            return {false, "overlay at " + dir + " " + m.why};
    }
    return {true, e.type + " " + e.name + " is mounted at " + dir};
}

// Is the entry, as a mount, what a process sees at its mount point now?
// With ONLY_TOP the entry must be the visible mount; otherwise it may be
// covered by later mounts at the same place (a mimic over a layout).
// SOURCES: where bind sources are resolved (VIEW itself, or the host's
// table for a container).
Match in_place(const MountEntry& e, MountView& view, const FsView& fs, bool only_top,
               MountView& sources, Detail detail = Detail::Full) {
    const std::string dir = clean_path(e.dir);
    switch (profile::kind(e)) {
        case EntryKind::Symlink: {
            auto want = profile::symlink_target(e).value_or("");
            if (fs.lstat(dir) != FileType::Symlink)
                return {false, dir + " is not a symlink"};
            auto have = fs.readlink(dir);
            if (have != want)
                return {false, dir + " points to " + have + ", not " + want};
            return {true, dir + " is a symlink to " + want};
        }
        case EntryKind::EnsureDir:
            if (fs.lstat(dir) == FileType::Directory)
                return {true, dir + " exists"};
            return {false, dir + " does not exist"};
        case EntryKind::Unknown:
            return {true, "x-snapd.kind=" + profile::kind_name(e) + " is not acted upon"};
        case EntryKind::Directory:
        case EntryKind::File:
            break;
    }
    if (profile::is_bind(e) && &sources == &view) {
        // Most often the top shows the source, which one question settles
        // (when both are in the same namespace).
        const BindTop b = view.bind_top(dir, clean_path(e.name));
        if (!b.mounted)
            return {false, "nothing is mounted at " + dir};
        if (b.shows_source) {
            Match flags = flags_match(e, dir, b.source_attrs, b.top_attrs);
            if (flags.matches && detail == Detail::Quiet)
                return {true, {}};
            if (flags.matches) {
                return {true, e.name + " is mounted at " + dir + " (" + std::to_string(b.major) +
                                  ":" + std::to_string(b.minor) + " " + b.path_in_fs + ")"};
            }
            if (only_top)
                return flags;
        } else if (only_top && detail == Detail::Brief) {
            return {false, "mounted at " + dir + " is not " + e.name};
        }
    }
    auto stack = view.stack_at(dir);
    if (stack.empty())
        return {false, "nothing is mounted at " + dir};
    auto check = [&](const Mount& m) {
        return profile::is_bind(e) ? bind_matches(e, dir, m, sources)
                                   : filesystem_matches(e, dir, m);
    };
    Match first = check(stack.front());
    if (first.matches || only_top)
        return first;
    for (size_t i = 1; i < stack.size(); ++i) {
        Match m = check(stack[i]);
        if (m.matches)
            return {true, m.why + ", covered by another mount"};
    }
    return first;
}

bool recursion_changes(const MountEntry& old, const MountEntry& e) {
    return profile::is_bind(old) && profile::is_bind(e) &&
           profile::is_rbind(old) != profile::is_rbind(e) &&
           clean_path(old.name) == clean_path(e.name);
}

// Is E an rbind that replaces OLD, the same entry but for the
// x-snapd.detach its unmount gained (plan.hpp, R6)?
bool remakes_rbind(const MountEntry& old, const MountEntry& e) {
    return profile::is_rbind(e) && profile::same_but_detach(old, e);
}

}  // namespace

Verdict needed(const Change& change, MountView& view, const FsView& fs, MountView* sources,
               Detail detail) {
    MountView& src_view = sources ? *sources : view;
    const MountEntry& e = change.entry;
    switch (change.action) {
        case Action::Keep: {
            if (profile::origin(e) == profile::Origin::Rootfs) {
                return {false, "the root filesystem is never touched"};
            }
            auto m = in_place(e, view, fs, false, src_view, detail);
            return {!m.matches, m.matches ? std::move(m.why) : "kept entry is missing: " + m.why};
        }
        case Action::Mount:
        case Action::Replace: {
            // A bind and an rbind of one source show the same mount on top;
            // only the mounts below it differ, which are not compared: a
            // change between the two is made, never judged done.
            if (change.action == Action::Replace && change.replaces &&
                recursion_changes(*change.replaces, e)) {
                return {true, "a change between bind and rbind of " + e.name};
            }
            // The plan remakes a kept rbind only when what it copied from
            // its source changed (copy_dependents.cpp): the same
            // mount on top, a different tree below it.
            if (change.action == Action::Replace && change.replaces &&
                remakes_rbind(*change.replaces, e)) {
                return {true, "the mounts below " + e.name + " changed since it was copied"};
            }
            // A replacement is done only once the new mount is what shows.
            auto m = in_place(e, view, fs, change.action == Action::Replace, src_view, detail);
            return {!m.matches, m.why};
        }
        case Action::Unmount: {
            const std::string dir = clean_path(e.dir);
            switch (profile::kind(e)) {
                case EntryKind::Symlink:
                    if (fs.lstat(dir) != FileType::Symlink)
                        return {false, dir + " is gone"};
                    return {true, dir + " is still a symlink"};
                case EntryKind::EnsureDir:
                case EntryKind::Unknown:
                    return {false, "nothing was mounted for this entry"};
                default:
                    break;
            }
            auto m = in_place(e, view, fs, false, src_view);
            if (m.matches)
                return {true, m.why};
            if (!view.visible_at(dir))
                return {false, "nothing is mounted at " + dir};
            // A bind whose source can no longer be found cannot be told apart
            // from another mount; what sits at DIR is presumed to be ours.
            if (profile::is_bind(e) && fs.stat(clean_path(e.name)) == FileType::Missing) {
                return {true, "something is mounted at " + dir};
            }
            return {false, "not mounted any more: " + m.why};
        }
    }
    return {true, ""};
}

bool shows_entry(const MountEntry& entry, const Mount& m, MountView& view, MountView* sources) {
    const std::string dir = clean_path(entry.dir);
    return (profile::is_bind(entry) ? bind_matches(entry, dir, m, sources ? *sources : view)
                                    : filesystem_matches(entry, dir, m))
        .matches;
}

}  // namespace nsr::reconcile
