#include "reconcile/host_sources.hpp"

#include <linux/mount.h>

#include <optional>
#include <stdexcept>

#include "base/error.hpp"
#include "base/path.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::clean_path;
using base::Fd;

HostSources HostSources::take(Kernel& kernel, const profile::MountProfile& desired, pid_t pid,
                              OnHost on_host, const DebugLog& debug) {
    HostSources out;
    out.pid_ = pid;
    out.on_host_ = std::move(on_host);
    SecureFs sfs(kernel);
    for (const auto& e : desired.entries) {
        const profile::EntryKind kind = profile::kind(e);
        if ((kind != profile::EntryKind::Directory && kind != profile::EntryKind::File) ||
            !profile::is_bind(e))
            continue;
        const std::string dir = clean_path(e.dir);
        const std::string src = clean_path(e.name);
        Taken t;
        try {
            Fd at = sfs.open_path(src);
            unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
            if (profile::is_rbind(e))
                flags |= AT_RECURSIVE;
            t.fd = Fd(check_rc(kernel.open_tree(at.get(), "", flags),
                               "cannot copy the mount tree at \"" + src + "\""));
        } catch (const std::exception& err) {
            t.error = err.what();
            if (debug)
                debug("bind source of " + dir + " not taken on the host: " + t.error);
        }
        out.by_dir_[dir] = std::move(t);
    }
    return out;
}

Fd HostSources::take_bind(const std::string& dir) {
    auto it = by_dir_.find(dir);
    if (it == by_dir_.end() || (!it->second.fd && it->second.error.empty()))
        throw std::runtime_error("nothing was taken on the host for \"" + dir + "\"");
    Taken t = std::move(it->second);
    by_dir_.erase(it);
    if (!t.fd)
        throw std::runtime_error(t.error);
    return std::move(t.fd);
}

std::pair<Fd, mountinfo::Mount> HostSources::build_overlay(Kernel& kernel, SecureFs& sfs,
                                                           const profile::MountEntry& entry,
                                                           unsigned long ms_flags,
                                                           VolatileGuard* guard,
                                                           const DebugLog& debug) {
    // On the host side, where /proc/self is this process: the container's
    // table through its first process, and the host's own.
    const std::string container_table = "/proc/" + std::to_string(pid_) + "/mountinfo";
    const PairUser in_use = [&](const std::string& upper, const std::string& work) {
        if (auto at = pair_user_in(mountinfo::MountTable::from_file(container_table), upper, work))
            return at;
        return pair_user_in(mountinfo::MountTable::from_self(), upper, work);
    };
    std::optional<std::pair<Fd, mountinfo::Mount>> built;
    on_host_(
        [&] { built = overlay_build_guarded(kernel, sfs, entry, ms_flags, debug, guard, in_use); });
    return std::move(*built);
}

}  // namespace nsr::reconcile
