#include "reconcile/overlay_mount.hpp"

#include <sys/mount.h>

#include <cstring>
#include <system_error>

#include "base/error.hpp"
#include "base/path.hpp"
#include "profile/flags.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::clean_path;
using base::Fd;
using base::throw_errno;

using profile::OverlaySpec;

namespace {

std::string quote(const std::string& s) {
    return "\"" + s + "\"";
}

// Opens PATH as a directory that fsconfig accepts, naming WHAT in errors.
Fd open_layer(Kernel& k, SecureFs& sfs, const std::string& path, const std::string& what,
              const std::string& dir) {
    const std::string prefix = "overlay at " + quote(dir) + ": ";
    Fd at;
    try {
        at = sfs.open_path(path);
    } catch (const std::system_error& e) {
        // The walk says where it stopped ("cannot open "/x/y": "/x/l" is a
        // symbolic link"); put the entry and the layer in front.
        // std::system_error puts ": ERRNO TEXT" after it, and will again.
        std::string why = e.what();
        const std::string walk = "cannot open " + quote(path);
        const std::string errno_text = ": " + e.code().message();
        if (why.starts_with(walk))
            why = why.substr(walk.size());
        if (why.ends_with(errno_text))
            why.resize(why.size() - errno_text.size());
        throw std::system_error(e.code(), prefix + "cannot open " + what + " " + quote(path) + why);
    }
    // The walk ends with an O_PATH fd of any type; a layer must be a
    // directory, and opening it for reading proves it is one.
    int fd = k.openat(at.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw_errno(fd, prefix + "cannot open " + what + " " + quote(path));
    return Fd(fd);
}

// A path inside one lowerdir= string: the overlay splits it at ':' and
// takes a backslash as an escape. fsconfig takes the whole value, so ','
// needs nothing.
std::string lowerdir_escape(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == ':' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

// How the kernel writes a path in its option string (seq_escape with the
// characters that would end a field or an option).
std::string octal_escape(const std::string& path) {
    static constexpr std::string_view kSpecial = ",= \t\n\\";
    std::string out;
    for (char c : path) {
        if (kSpecial.find(c) == std::string_view::npos) {
            out += c;
            continue;
        }
        const auto u = static_cast<unsigned char>(c);
        out += '\\';
        out += static_cast<char>('0' + (u >> 6));
        out += static_cast<char>('0' + ((u >> 3) & 7));
        out += static_cast<char>('0' + (u & 7));
    }
    return out;
}

class Config {
  public:
    Config(Kernel& k, const std::string& dir) : k_(k), dir_(dir) {
        fs_ =
            Fd(check_rc(k_.fsopen("overlay", FSOPEN_CLOEXEC),
                        "overlay at " + quote(dir) + ": cannot open filesystem type \"overlay\""));
    }
    int fd() const { return fs_.get(); }

    int try_fd(const char* key, const Fd& fd) {
        return k_.fsconfig(fs_.get(), FSCONFIG_SET_FD, key, nullptr, fd.get());
    }
    int try_string(const char* key, const std::string& value) {
        return k_.fsconfig(fs_.get(), FSCONFIG_SET_STRING, key, value.c_str(), 0);
    }
    void fd(const char* key, const Fd& fd, const std::string& path) {
        check(try_fd(key, fd), std::string("cannot set ") + key + " " + quote(path) + " by fd");
    }
    void string(const char* key, const std::string& value) {
        check(try_string(key, value), std::string("cannot set ") + key + "=" + value);
    }
    void flag(const std::string& key) {
        check(k_.fsconfig(fs_.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0),
              "cannot set " + key);
    }
    void check(int rc, const std::string& what) const {
        check_rc(rc, "overlay at " + quote(dir_) + ": " + what);
    }

  private:
    Kernel& k_;
    const std::string& dir_;
    Fd fs_;
};

// Gives the layers to C: by fd when the kernel takes them, else as paths.
void set_layers(Config& c, const OverlaySpec& spec, const OverlayLayers& layers,
                const std::string& dir, const DebugLog& debug) {
    int rc = c.try_fd("lowerdir+", layers.lower.front());
    if (rc == 0) {
        for (size_t i = 1; i < spec.lower.size(); ++i)
            c.fd("lowerdir+", layers.lower[i], spec.lower[i]);
        for (size_t i = 0; i < spec.data.size(); ++i)
            c.fd("datadir+", layers.data[i], spec.data[i]);
        if (spec.upper) {
            c.fd("upperdir", layers.upper, *spec.upper);
            c.fd("workdir", layers.work, *spec.work);
        }
        return;
    }
    if (rc != -EINVAL)
        c.check(rc, "cannot set lowerdir+ " + quote(spec.lower.front()) + " by fd");
    const std::string why = "the kernel takes no layers by fd (fsconfig lowerdir+: " +
                            std::string(std::strerror(EINVAL)) + ")";
    rc = c.try_string("lowerdir+", spec.lower.front());
    if (rc == 0) {
        if (debug)
            debug("overlay at " + dir + ": " + why + "; giving each layer as a path");
        for (size_t i = 1; i < spec.lower.size(); ++i)
            c.string("lowerdir+", spec.lower[i]);
        for (const auto& d : spec.data)
            c.string("datadir+", d);
    } else if (rc == -EINVAL) {
        if (debug) {
            debug("overlay at " + dir + ": " + why + " nor one at a time (lowerdir+ as a path: " +
                  std::strerror(EINVAL) + "); giving the layers as one lowerdir= string");
        }
        std::string lower;
        for (const auto& l : spec.lower)
            lower += (lower.empty() ? "" : ":") + lowerdir_escape(l);
        for (const auto& d : spec.data)
            lower += "::" + lowerdir_escape(d);
        c.string("lowerdir", lower);
    } else {
        c.check(rc, "cannot set lowerdir+=" + spec.lower.front());
    }
    if (spec.upper) {
        // As strings, the kernel unescapes upperdir and workdir.
        c.string("upperdir", lowerdir_escape(*spec.upper));
        c.string("workdir", lowerdir_escape(*spec.work));
    }
}

}  // namespace

OverlayLayers overlay_layers_open(Kernel& kernel, SecureFs& sfs, const OverlaySpec& spec,
                                  const std::string& dir) {
    OverlayLayers layers;
    for (size_t i = 0; i < spec.lower.size(); ++i) {
        layers.lower.push_back(
            open_layer(kernel, sfs, spec.lower[i], "lower layer " + std::to_string(i + 1), dir));
    }
    for (size_t i = 0; i < spec.data.size(); ++i) {
        layers.data.push_back(
            open_layer(kernel, sfs, spec.data[i], "data layer " + std::to_string(i + 1), dir));
    }
    if (spec.upper)
        layers.upper = open_layer(kernel, sfs, *spec.upper, "upperdir", dir);
    if (spec.work)
        layers.work = open_layer(kernel, sfs, *spec.work, "workdir", dir);
    return layers;
}

Fd overlay_mount_create(Kernel& kernel, const OverlaySpec& spec, const OverlayLayers& layers,
                        const std::string& source, const MountAttrs& attrs, const std::string& dir,
                        const DebugLog& debug) {
    if (spec.lower.empty() || layers.lower.size() != spec.lower.size() ||
        layers.data.size() != spec.data.size() || spec.upper.has_value() != spec.work.has_value()) {
        throw_errno(-EINVAL, "overlay at " + quote(dir) +
                                 ": needs a lower layer, and an upper and a work dir together");
    }
    Config c(kernel, dir);
    c.string("source", source);
    set_layers(c, spec, layers, dir, debug);
    if (spec.is_volatile)
        c.flag("volatile");
    for (const auto& o : spec.other) {
        const auto eq = o.find('=');
        if (eq == std::string::npos)
            c.flag(o);
        else
            c.string(o.substr(0, eq).c_str(), o.substr(eq + 1));
    }
    if (attrs.ms_flags & MS_RDONLY)
        c.flag("ro");
    c.check(kernel.fsconfig(c.fd(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0),
            "cannot create the overlay");
    int mfd =
        kernel.fsmount(c.fd(), FSMOUNT_CLOEXEC, profile::to_mount_attr(attrs.ms_flags).attr_set);
    c.check(mfd, "cannot make a mount of the new overlay");
    return Fd(mfd);
}

std::string overlay_super_options(const OverlaySpec& spec, bool read_only) {
    std::string out = read_only || !spec.upper ? "ro" : "rw";
    for (const auto& l : spec.lower)
        out += ",lowerdir+=" + octal_escape(l);
    for (const auto& d : spec.data)
        out += ",datadir+=" + octal_escape(d);
    if (spec.upper) {
        out += ",upperdir=" + octal_escape(*spec.upper);
        out += ",workdir=" + octal_escape(*spec.work);
    }
    return out;
}

std::pair<Fd, mountinfo::Mount> overlay_build(Kernel& kernel, SecureFs& sfs,
                                              const profile::MountEntry& entry,
                                              unsigned long ms_flags, const DebugLog& debug) {
    const std::string dir = clean_path(entry.dir);
    const OverlaySpec spec = profile::overlay_spec_parse(entry);
    const OverlayLayers layers = overlay_layers_open(kernel, sfs, spec, dir);
    Fd tree = overlay_mount_create(kernel, spec, layers, entry.name, {ms_flags, false}, dir, debug);
    mountinfo::Mount m;
    m.root = "/";
    m.fstype = entry.type;
    m.source = entry.name;
    m.mount_options = (ms_flags & MS_RDONLY) ? "ro" : "rw";
    m.super_options = overlay_super_options(spec, ms_flags & MS_RDONLY);
    return {std::move(tree), m};
}

std::pair<Fd, mountinfo::Mount> overlay_build_guarded(Kernel& kernel, SecureFs& sfs,
                                                      const profile::MountEntry& entry,
                                                      unsigned long ms_flags, const DebugLog& debug,
                                                      VolatileGuard* guard,
                                                      const PairUser& in_use) {
    if (!guard)
        return overlay_build(kernel, sfs, entry, ms_flags, debug);
    const std::string dir = clean_path(entry.dir);
    const OverlaySpec spec = profile::overlay_spec_parse(entry);
    if (!spec.upper || !spec.work)
        return overlay_build(kernel, sfs, entry, ms_flags, debug);
    guard->prepare(spec, dir, in_use);
    auto built = overlay_build(kernel, sfs, entry, ms_flags, debug);
    guard->mounted(spec);
    return built;
}

}  // namespace nsr::reconcile
