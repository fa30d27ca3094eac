#include "cmd/oci_convert.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/options.hpp"
#include "base/path.hpp"
#include "profile/bind_flags.hpp"
#include "profile/fstab.hpp"
#include "profile/option_maps.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/validate.hpp"
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
                                         const std::string& where,
                                         std::vector<std::string>& notes) {
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
    // The kernel refuses an upper without a work directory, and ignores a
    // work directory without an upper.
    if (upper && !work)
        fail(where + ".options", "an overlay with upperdir needs workdir");
    if (work && !upper) {
        notes.push_back(where +
                        ": workdir has no effect without upperdir (the kernel ignores "
                        "it); dropped");
        work.reset();
    }
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
        // A profile line that starts with '#' is a comment.
        if (source.starts_with('#'))
            fail(where + ".source",
                 json_quoted(source) + " starts with '#', which a profile cannot");
        e.name = source.empty() ? "none" : source;
        e.type = type;
        add_flags(e.options, opts.flags);
        if (type == "overlay") {
            auto o = overlay_options(ctx, opts, where, notes);
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
            // The kernel gets the data as one comma-separated string, so an
            // element holding commas is that many options.
            for (const auto& d : opts.data) {
                for (const auto& item : split_data(d)) {
                    if (!item.empty())
                        e.options.push_back(item);
                }
            }
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
    for (const auto& o : e.options) {
        if (o.find(',') != std::string::npos)
            fail(where + ".options",
                 json_quoted(o) + " holds a comma, which one option of a profile cannot");
    }
    return e;
}

}  // namespace

OciConversion oci_mounts_convert(std::string_view text, const OciContext& ctx) {
    json spec;
    try {
        spec = json::parse(text);
    } catch (const json::exception& e) {
        // A parse error, or a number too large for any type (out_of_range).
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
    // What a profile cannot hold although runc might take it (a NUL from a
    // \u0000 escape, a name longer than NAME_MAX, two overlays sharing an
    // upper directory, ...) is refused, as lint would refuse the profile:
    // the profile is read back as lint reads it, each line one entry.
    std::vector<profile::Problem> problems;
    const auto again = profile::parse_profile(profile::format_profile(out.profile), "", &problems);
    if (problems.empty())
        problems = profile::validate_profile(again);
    for (size_t k = 0; problems.empty() && k < out.profile.entries.size(); ++k) {
        // No options are written as "defaults", which reads back as such.
        profile::MountEntry expected = out.profile.entries[k];
        if (expected.options.empty())
            expected.options = {"defaults"};
        if (k >= again.entries.size() || !(again.entries[k] == expected)) {
            problems.push_back({static_cast<int>(k + 1),
                                "cannot be written as a profile line that reads back "
                                "the same"});
        }
    }
    if (!problems.empty()) {
        const size_t k = static_cast<size_t>(std::max(problems.front().line, 1)) - 1;
        throw OciSpecError("mounts[" + std::to_string(done.at(k).index) +
                           "]: " + problems.front().message);
    }
    return out;
}

}  // namespace nsr::cmd
