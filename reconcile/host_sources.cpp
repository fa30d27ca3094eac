#include "reconcile/host_sources.hpp"

#include <linux/mount.h>
#include <sys/mount.h>

#include <stdexcept>

#include "base/error.hpp"
#include "base/path.hpp"
#include "profile/flags.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/overlay_match.hpp"
#include "reconcile/secure_fs.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::clean_path;
using base::Fd;

HostSources HostSources::take(Kernel& kernel, const profile::MountProfile& desired,
                              const mountinfo::MountTable& target, const DebugLog& debug) {
    HostSources out;
    SecureFs sfs(kernel);
    for (const auto& e : desired.entries) {
        const profile::EntryKind kind = profile::kind(e);
        if (kind != profile::EntryKind::Directory && kind != profile::EntryKind::File)
            continue;
        const std::string dir = clean_path(e.dir);
        Taken t;
        try {
            if (profile::is_bind(e)) {
                const std::string src = clean_path(e.name);
                Fd at = sfs.open_path(src);
                unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
                if (profile::is_rbind(e))
                    flags |= AT_RECURSIVE;
                t.fd = Fd(check_rc(kernel.open_tree(at.get(), "", flags),
                                   "cannot copy the mount tree at \"" + src + "\""));
            } else if (e.type == "overlay") {
                const mountinfo::Mount* live = target.top_at(dir);
                if (live && live->fstype == "overlay" &&
                    overlay_entry_matches(e, live->super_options).matches) {
                    if (debug)
                        debug("overlay at " + dir + " is in place in the container: not made");
                    continue;
                }
                const profile::OverlaySpec spec = profile::overlay_spec_parse(e);
                if (spec.upper) {
                    for (const auto& m : target.mounts()) {
                        if (m.fstype == "overlay" &&
                            overlay_uses_pair(m.super_options, *spec.upper, *spec.work)) {
                            throw std::runtime_error(
                                "overlay at \"" + dir + "\": the overlay at \"" + m.mount_point +
                                "\" in the container uses the same upperdir or workdir; replacing "
                                "it keeping them is not done in a container namespace yet");
                        }
                    }
                }
                const unsigned long ms = profile::options_to_flags(e.options).flags &
                                         ~(kPropagationFlags | MS_REC | MS_BIND);
                auto [fd, proto] = overlay_build(kernel, sfs, e, ms, debug);
                t.fd = std::move(fd);
                t.proto = std::move(proto);
            } else {
                continue;
            }
        } catch (const std::exception& err) {
            t.error = err.what();
        }
        out.by_dir_[dir] = std::move(t);
    }
    return out;
}

HostSources::Taken HostSources::take_at(const std::string& dir) {
    auto it = by_dir_.find(dir);
    if (it == by_dir_.end() || (!it->second.fd && it->second.error.empty()))
        throw std::runtime_error("nothing was taken on the host for \"" + dir + "\"");
    Taken t = std::move(it->second);
    by_dir_.erase(it);
    if (!t.fd)
        throw std::runtime_error(t.error);
    return t;
}

Fd HostSources::take_bind(const std::string& dir) {
    return take_at(dir).fd;
}

std::pair<Fd, mountinfo::Mount> HostSources::take_overlay(const std::string& dir) {
    Taken t = take_at(dir);
    return {std::move(t.fd), std::move(t.proto)};
}

}  // namespace nsr::reconcile
