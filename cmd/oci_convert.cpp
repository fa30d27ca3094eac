#include "cmd/oci_convert.hpp"

#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/options.hpp"
#include "base/path.hpp"
#include "profile/bind_flags.hpp"
#include "profile/option_maps.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/overlay_match.hpp"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

namespace nsr::cmd {

using nlohmann::json;
using reconcile::FileType;

namespace {

// runc's mountFlags table (libcontainer/specconv/spec_linux.go), the
// options runc turns into MS_* flags, set or cleared in order, is libmount's
// Linux map without its propagation entries (runc keeps those apart), plus
// "acl" and "noacl".
constexpr profile::NamedFlag<unsigned long> kRuncAcl[] = {
    {"acl", MS_POSIXACL, false},
    {"noacl", MS_POSIXACL, true},
};
constexpr unsigned long kPropagationFlags = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;

// The per-mount flags a profile can name, in the order they are written.
struct Named {
    unsigned long flag;
    std::string_view name;
};
constexpr Named kPerMount[] = {
    {MS_RDONLY, "ro"},         {MS_NOSUID, "nosuid"},           {MS_NODEV, "nodev"},
    {MS_NOEXEC, "noexec"},     {MS_NOATIME, "noatime"},         {MS_NODIRATIME, "nodiratime"},
    {MS_RELATIME, "relatime"}, {MS_STRICTATIME, "strictatime"},
};
constexpr unsigned long kPerMountFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                         MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
// Flags of the filesystem instance, which a bind remount ignores.
constexpr unsigned long kSuperblockFlags = MS_POSIXACL | MS_SYNCHRONOUS | MS_DIRSYNC |
                                           MS_I_VERSION | MS_LAZYTIME | MS_SILENT | MS_MANDLOCK;

constexpr std::string_view kPropagation[] = {"private", "rprivate", "slave",
                                             "rslave",  "shared",   "rshared"};
constexpr std::string_view kUnbindable[] = {"unbindable", "runbindable"};
constexpr std::string_view kRuntimeOwn[] = {"proc",   "sysfs",  "devpts",
                                            "mqueue", "cgroup", "cgroup2"};

template <typename Range>
bool contains(const Range& r, std::string_view v) {
    for (const auto& x : r) {
        if (x == v)
            return true;
    }
    return false;
}

const profile::NamedFlag<unsigned long>* runc_flag(std::string_view o) {
    if (const auto* acl = profile::find_named_flag(kRuncAcl, o))
        return acl;
    const auto* f = profile::find_linux_option(o);
    return f && (f->bits & kPropagationFlags) == 0 ? f : nullptr;
}

std::string json_quoted(std::string_view s) {
    return json(std::string(s)).dump();
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw OciSpecError(where + ": " + what);
}

// One mount's options, classified as runc classifies them.
struct Options {
    unsigned long flags = 0;        // set, after every set and clear in order
    std::vector<std::string> data;  // filesystem data, in order
    std::vector<std::string> propagation;
    std::vector<std::string> recursive;  // rro, rnosuid, ... in order
};

Options classify(const json& options, const std::string& where) {
    Options out;
    if (options.is_null())
        return out;
    if (!options.is_array())
        fail(where + ".options", "not an array");
    for (size_t j = 0; j < options.size(); ++j) {
        const std::string at = where + ".options[" + std::to_string(j) + "]";
        if (!options[j].is_string())
            fail(at, "not a string");
        const std::string o = options[j].get<std::string>();
        if (const auto* f = runc_flag(o)) {
            out.flags = f->applied_to(out.flags);
        } else if (contains(kPropagation, o) || contains(kUnbindable, o)) {
            if (contains(kUnbindable, o))
                fail(at, json_quoted(o) + " cannot be expressed in a profile");
            out.propagation.push_back(o);
        } else if (profile::is_recursive_flag(o)) {
            out.recursive.push_back(o);
        } else if (o == "rnosymfollow" || o == "rsymfollow" || o == "tmpcopyup" || o == "idmap" ||
                   o == "ridmap") {
            fail(at, json_quoted(o) + " cannot be expressed in a profile");
        } else {
            out.data.push_back(o);
        }
    }
    if (out.propagation.size() > 1) {
        std::set<std::string> kinds(out.propagation.begin(), out.propagation.end());
        if (kinds.size() > 1)
            fail(where + ".options", "more than one propagation option cannot be expressed");
        out.propagation.resize(1);
    }
    return out;
}

std::string string_field(const json& m, const char* key, const std::string& where, bool required) {
    if (!m.contains(key)) {
        if (required)
            fail(where + "." + key, "missing");
        return "";
    }
    if (!m[key].is_string())
        fail(where + "." + key, "not a string");
    return m[key].get<std::string>();
}

// An absolute host path, symlinks resolved, of the type the mount needs.
HostPath host_path(const OciContext& ctx, const std::string& path, const std::string& where) {
    if (path.empty() || path.front() != '/')
        fail(where, json_quoted(path) + " is not an absolute path");
    auto p = ctx.resolve(base::clean_path(path));
    if (!p)
        fail(where, json_quoted(path) + " does not exist");
    return *p;
}

// mount(2) data as overlayfs splits it: at commas not escaped by '\'.
std::vector<std::string> split_data(const std::string& data) {
    std::vector<std::string> out;
    std::string cur;
    for (size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '\\' && i + 1 < data.size()) {
            cur += data[i];
            cur += data[++i];
        } else if (data[i] == ',') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += data[i];
        }
    }
    out.push_back(cur);
    return out;
}

// The overlay's data options with its layers as resolved host paths,
// written the profile's way.
std::vector<std::string> overlay_options(const OciContext& ctx, const Options& opts,
                                         const std::string& where) {
    std::string joined;
    for (const auto& d : opts.data)
        joined += (joined.empty() ? "" : ",") + d;
    std::vector<std::string> lower, data, rest;
    std::optional<std::string> upper, work;
    for (const auto& item : split_data(joined)) {
        const base::Option o = base::parse_option(item);
        const std::string value(o.value.value_or(""));
        if (o.key == "lowerdir" && o.value) {
            auto layers = reconcile::overlay_lowerdir_split(value);
            lower.insert(lower.end(), layers.lower.begin(), layers.lower.end());
            data.insert(data.end(), layers.data.begin(), layers.data.end());
        } else if (o.key == "lowerdir+" && o.value) {
            lower.push_back(value);
        } else if (o.key == "datadir+" && o.value) {
            data.push_back(value);
        } else if (o.key == "upperdir" && o.value) {
            upper = reconcile::overlay_unescape(value);
        } else if (o.key == "workdir" && o.value) {
            work = reconcile::overlay_unescape(value);
        } else if (!item.empty()) {
            rest.push_back(item);
        }
    }
    if (lower.empty())
        fail(where + ".options", "an overlay needs lowerdir");
    auto layer = [&](const std::string& path, const char* what) {
        HostPath p = host_path(ctx, path, where + ".options: " + what);
        if (p.type != FileType::Directory)
            fail(where + ".options",
                 std::string(what) + " " + json_quoted(path) + " is not a directory");
        return profile::overlay_path_encode(p.path);
    };
    std::string lowerdir;
    for (size_t i = 0; i < lower.size(); ++i)
        lowerdir += (i ? ":" : "") + layer(lower[i], "lower layer");
    for (const auto& d : data)
        lowerdir += "::" + layer(d, "data layer");
    std::vector<std::string> out{"lowerdir=" + lowerdir};
    if (upper)
        out.push_back("upperdir=" + layer(*upper, "upperdir"));
    if (work)
        out.push_back("workdir=" + layer(*work, "workdir"));
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

void add_flags(std::vector<std::string>& options, unsigned long flags) {
    for (const auto& n : kPerMount) {
        if (flags & n.flag)
            options.emplace_back(n.name);
    }
}

struct Converted {
    std::string dest;
    size_t index;
};

// The entry for mount I, or nullopt (with a note) when it is skipped.
std::optional<profile::MountEntry> convert_one(const json& m, size_t i, const OciContext& ctx,
                                               const std::string& root,
                                               std::vector<std::string>& notes) {
    const std::string where = "mounts[" + std::to_string(i) + "]";
    if (!m.is_object())
        fail(where, "not an object");
    const std::string raw_dest = string_field(m, "destination", where, true);
    if (raw_dest.empty() || raw_dest.front() != '/')
        fail(where + ".destination", json_quoted(raw_dest) + " is not an absolute path");
    const std::string dest = base::clean_path(raw_dest);
    if (dest == "/")
        fail(where + ".destination", "a mount over the container's root cannot be expressed");
    const std::string type = string_field(m, "type", where, false);
    const std::string source = string_field(m, "source", where, false);
    for (const char* key : {"uidMappings", "gidMappings"}) {
        if (m.contains(key))
            fail(where + "." + key, "an idmapped mount cannot be expressed in a profile");
    }
    const Options opts = classify(m.contains("options") ? m["options"] : json(), where);
    if (opts.flags & MS_REMOUNT)
        fail(where + ".options", "\"remount\" cannot be expressed in a profile");
    if (opts.flags & MS_NOSYMFOLLOW)
        fail(where + ".options", "\"nosymfollow\" cannot be expressed in a profile");

    profile::MountEntry e;
    e.dir = dest;
    if (opts.flags & MS_BIND) {
        const HostPath src = host_path(
            ctx, source.empty() || source.front() == '/' ? source : ctx.bundle + "/" + source,
            where + ".source");
        if (src.type != FileType::Directory && src.type != FileType::Regular)
            fail(where + ".source",
                 json_quoted(source) + " is neither a directory nor a regular file");
        e.name = src.path;
        e.type = "none";
        e.options.emplace_back((opts.flags & MS_REC) ? "rbind" : "bind");
        add_flags(e.options, opts.flags);
        if (opts.flags & kSuperblockFlags)
            notes.push_back(where +
                            ": the filesystem flags have no effect on a bind (runc's "
                            "remount ignores them); dropped");
        if (!opts.data.empty())
            notes.push_back(where + ": data options have no effect on a bind; dropped");
        // runc remounts the top mount with exactly the flags named when it
        // names any.
        if (opts.flags & ~(MS_BIND | MS_REC))
            e.options.emplace_back(profile::kTopFlagsOption);
        for (const auto& r : opts.recursive)
            e.options.push_back(std::string(profile::kNsrPrefix) + r);
        if (src.type == FileType::Regular)
            e.options.emplace_back("x-snapd.kind=file");
    } else if (contains(kRuntimeOwn, type)) {
        notes.push_back(where + ": skipped: " + type + " at " + dest +
                        " is the container runtime's own");
        return std::nullopt;
    } else if (type == "tmpfs" || type == "overlay") {
        if (opts.flags & kSuperblockFlags)
            fail(where + ".options",
                 "filesystem flags (sync, dirsync, lazytime, ...) cannot be "
                 "expressed in a profile");
        if (!opts.recursive.empty())
            notes.push_back(where + ": recursive flags (" + opts.recursive.front() +
                            ", ...) apply to binds only (runc ignores them here); dropped");
        e.name = source.empty() ? "none" : source;
        e.type = type;
        add_flags(e.options, opts.flags);
        if (type == "overlay") {
            auto o = overlay_options(ctx, opts, where);
            e.options.insert(e.options.end(), o.begin(), o.end());
        } else {
            bool has_mode = false;
            for (const auto& d : opts.data)
                has_mode = has_mode || d.starts_with("mode=");
            // A tmpfs over a directory of the root filesystem takes its mode.
            if (!has_mode && !root.empty()) {
                if (auto mode = ctx.dest_mode(root, dest)) {
                    char buf[16];
                    std::snprintf(buf, sizeof buf, "mode=%04o", *mode & 07777);
                    e.options.emplace_back(buf);
                }
            }
            e.options.insert(e.options.end(), opts.data.begin(), opts.data.end());
        }
    } else if (type.empty()) {
        fail(where + ".type", "missing, and the mount is not a bind");
    } else if (type == "bind") {
        fail(where + ".options", "type \"bind\" needs the bind or rbind option");
    } else {
        fail(where + ".type", "unknown type " + json_quoted(type) +
                                  " (a profile takes bind, tmpfs and overlay mounts)");
    }
    e.options.insert(e.options.end(), opts.propagation.begin(), opts.propagation.end());
    return e;
}

}  // namespace

OciConversion oci_mounts_convert(std::string_view text, const OciContext& ctx) {
    json spec;
    try {
        spec = json::parse(text);
    } catch (const json::parse_error& e) {
        throw OciSpecError(std::string("not valid JSON: ") + e.what());
    }
    if (!spec.is_object())
        throw OciSpecError("not a JSON object");
    OciConversion out;
    if (!spec.contains("mounts"))
        return out;
    const json& mounts = spec["mounts"];
    if (!mounts.is_array())
        throw OciSpecError("mounts: not an array");
    std::string root;
    if (spec.contains("root") && spec["root"].is_object() && spec["root"].contains("path") &&
        spec["root"]["path"].is_string()) {
        root = spec["root"]["path"].get<std::string>();
        if (!root.empty() && root.front() != '/')
            root = ctx.bundle + "/" + root;
    }
    std::vector<Converted> done;
    for (size_t i = 0; i < mounts.size(); ++i) {
        auto e = convert_one(mounts[i], i, ctx, root, out.notes);
        if (!e)
            continue;
        const std::string where = "mounts[" + std::to_string(i) + "].destination";
        for (const auto& d : done) {
            if (d.dest == e->dir) {
                throw OciSpecError(where + ": " + e->dir + " is also mounts[" +
                                   std::to_string(d.index) +
                                   "]'s; a profile has one mount a directory");
            }
            if (base::is_within(d.dest, e->dir)) {
                throw OciSpecError(where + ": " + e->dir + " would cover mounts[" +
                                   std::to_string(d.index) + "] at " + d.dest +
                                   ", mounted before it; a profile mounts a directory before "
                                   "what lies under it");
            }
        }
        done.push_back({e->dir, i});
        out.profile.entries.push_back(std::move(*e));
    }
    return out;
}

OciContext oci_host_context(const std::string& bundle) {
    OciContext ctx;
    ctx.bundle = bundle;
    ctx.resolve = [](const std::string& path) -> std::optional<HostPath> {
        char buf[PATH_MAX];
        if (!::realpath(path.c_str(), buf))
            return std::nullopt;
        struct stat st {};
        if (::stat(buf, &st) != 0)
            return std::nullopt;
        FileType t = S_ISDIR(st.st_mode)   ? FileType::Directory
                     : S_ISREG(st.st_mode) ? FileType::Regular
                                           : FileType::Other;
        return HostPath{buf, t};
    };
    ctx.dest_mode = [](const std::string& root, const std::string& dest) -> std::optional<mode_t> {
        // Resolved inside ROOT, as runc resolves a destination.
        char buf[PATH_MAX];
        if (!::realpath(root.c_str(), buf))
            return std::nullopt;
        const std::string real_root = buf;
        if (!::realpath((real_root + dest).c_str(), buf))
            return std::nullopt;
        if (!base::is_within(buf, real_root))
            return std::nullopt;
        struct stat st {};
        if (::stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            return std::nullopt;
        return st.st_mode & 07777;
    };
    return ctx;
}

}  // namespace nsr::cmd
