#include "reconcile/volatile_reuse.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdio>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "base/error.hpp"
#include "base/names.hpp"
#include "base/path.hpp"
#include "reconcile/overlay_match.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::clean_path;
using base::Fd;
using base::parent_dir;
using base::throw_errno;

using profile::OverlaySpec;
using profile::VolatileStale;
using Action = VolatileVerdict::Action;

namespace {

// Where the kernel marks a pair whose volatile overlay went away, and the
// one file it puts there.
constexpr const char* kIncompat = "work/incompat";
constexpr const char* kMarker = "volatile";
constexpr const char* kDirty = "dirty";

std::string quote(const std::string& s) {
    return "\"" + s + "\"";
}

std::string dev_text(dev_t d) {
    return std::to_string(major(d)) + ":" + std::to_string(minor(d));
}

std::string base_name(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

// Why the recorded identity is not the one now, or "".
std::string identity_change(const UpperIdentity& was, const UpperIdentity& now) {
    if (was.dev != now.dev)
        return "the upper filesystem is another device (" + dev_text(now.dev) + ", recorded " +
               dev_text(was.dev) + ")";
    if (was.fsid != now.fsid)
        return "the upper filesystem has another statfs f_fsid";
    if (was.ino != now.ino)
        return "the upper directory is another one (inode " + std::to_string(now.ino) +
               ", recorded " + std::to_string(was.ino) + ")";
    return "";
}

std::string marker_changed(const VolatileRecord& r) {
    return "the volatile marker is not the one nsreconcile's mount at " + r.mounted_at +
           " made: the pair was mounted volatile again since, not by nsreconcile";
}

}  // namespace

std::string_view volatile_action_name(Action a) {
    static constexpr base::Named<Action> kNames[] = {{Action::Mount, "mount"},
                                                     {Action::Reuse, "reuse"},
                                                     {Action::Refuse, "refuse"},
                                                     {Action::Quarantine, "quarantine"}};
    return base::name_of(kNames, a);
}

VolatileVerdict volatile_reuse_decide(const VolatileFacts& f, VolatileStale policy) {
    if (f.in_use_at) {
        return {Action::Refuse, "in use",
                "the overlay at " + quote(*f.in_use_at) + " uses this upper or work dir"};
    }
    if (!f.marker)
        return {Action::Mount, "marker", "no volatile marker: nothing to reuse"};
    const Action stale = policy == VolatileStale::Refuse ? Action::Refuse : Action::Quarantine;
    if (!f.record) {
        std::string why = "no record that nsreconcile mounted this pair volatile in this boot";
        if (!f.record_problem.empty())
            why += " (" + f.record_problem + ")";
        return {stale, "record", why};
    }
    const VolatileRecord& r = *f.record;
    if (r.boot_id != f.boot_id) {
        return {
            stale, "boot",
            "it was mounted in another boot (boot id " + r.boot_id + ", now " + f.boot_id + ")"};
    }
    std::string how = "mounted volatile by nsreconcile in this boot at " + r.mounted_at;
    switch (r.state) {
        case VolatileState::Mounted:
            return {stale, "unmount",
                    "its last unmount was not nsreconcile's: mounted at " + r.mounted_at +
                        ", then it went away without nsreconcile unmounting it"};
        case VolatileState::Mounting:
        case VolatileState::Attaching:
            // The run making it was stopped before it was attached: nothing
            // could write through it. While Mounting, its marker was not
            // known yet.
            if (r.state == VolatileState::Attaching && r.marker != f.marker_identity)
                return {stale, "unmount", marker_changed(r)};
            how = "made volatile by nsreconcile in this boot at " + r.mounted_at +
                  " and never attached (the run making it was stopped)";
            break;
        case VolatileState::Unmounting:
        case VolatileState::Unmounted:
            if (r.sync_errno != 0) {
                return {stale, "unmount",
                        "syncfs inside the overlay before its unmount at " + r.unmounted_at +
                            " failed: " + std::strerror(r.sync_errno)};
            }
            if (r.marker != f.marker_identity)
                return {stale, "unmount", marker_changed(r)};
            how += ", unmounted by it at " + r.unmounted_at + " after a clean syncfs";
            if (r.state == VolatileState::Unmounting)
                how += " (the run was stopped at its unmount)";
            break;
    }
    if (auto change = identity_change(r.identity, f.identity); !change.empty())
        return {stale, "identity", change};
    if (f.sync_errno != 0) {
        return {stale, "syncfs",
                std::string("syncfs on the upper filesystem fails now: ") +
                    std::strerror(f.sync_errno)};
    }
    return {Action::Reuse, "all checks",
            how + ", the same upper filesystem, and syncfs succeeds now"};
}

std::optional<std::string> pair_user_in(const mountinfo::MountTable& table,
                                        const std::string& upper, const std::string& work) {
    for (const auto& m : table.mounts()) {
        if (m.fstype == "overlay" && overlay_uses_pair(m.super_options, upper, work))
            return m.mount_point;
    }
    return std::nullopt;
}

VolatileGuard::VolatileGuard(Kernel& kernel, SecureFs& sfs, VolatileStore& store,
                             std::string boot_id, Clock clock, DebugLog debug)
    : k_(kernel),
      sfs_(sfs),
      store_(store),
      boot_id_(std::move(boot_id)),
      clock_(std::move(clock)),
      debug_(std::move(debug)) {}

VolatileFacts VolatileGuard::facts(const OverlaySpec& spec, const PairUser& in_use) {
    VolatileFacts f;
    f.boot_id = boot_id_;
    if (in_use) {
        f.in_use_at = in_use(clean_path(*spec.upper), clean_path(*spec.work));
        if (f.in_use_at)
            return f;
    }
    Fd work;
    if (int rc = sfs_.try_open_path(*spec.work, work); rc == -ENOENT)
        return f;  // the mount will say the work dir is missing
    else if (rc < 0)
        throw_errno(rc, "cannot open workdir " + quote(*spec.work));
    const std::string marker = std::string(kIncompat) + "/" + kMarker;
    const int rc = marker_identity_read(k_, work.get(), marker.c_str(), f.marker_identity);
    if (rc < 0 && rc != -ENOENT)
        throw_errno(rc, "cannot inspect " + quote(*spec.work + "/" + marker));
    f.marker = rc == 0;
    if (!f.marker)
        return f;
    f.record = store_.find(*spec.upper, *spec.work, &f.record_problem);
    Fd upper = sfs_.open_path(*spec.upper);
    check_rc(upper_identity_read(k_, upper.get(), f.identity),
             "cannot inspect upperdir " + quote(*spec.upper));
    Fd readable(check_rc(k_.openat(upper.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                         "cannot open upperdir " + quote(*spec.upper)));
    f.sync_errno = -k_.syncfs(readable.get());
    return f;
}

VolatileVerdict VolatileGuard::prepare(const OverlaySpec& spec, const std::string& dir,
                                       const PairUser& in_use) {
    const VolatileFacts f = facts(spec, in_use);
    const VolatileVerdict v = volatile_reuse_decide(f, spec.stale.value_or(VolatileStale::Refuse));
    if (debug_) {
        debug_(std::string(spec.is_volatile ? "volatile " : "") + "overlay at " + dir +
               " (upperdir " + *spec.upper + "): " + std::string(volatile_action_name(v.action)) +
               ", decided by the " + v.check + " check: " + v.reason);
    }
    // The record says Mounting before the marker goes: a run killed while
    // removing it leaves a marker changed by the removal.
    switch (v.action) {
        case Action::Mount:
            if (spec.is_volatile)
                mounting(spec);
            break;
        case Action::Reuse:
            mounting(spec);
            remove_marker(*spec.work);
            break;
        case Action::Refuse: {
            if (v.check == "in use") {
                // The overlay this one replaces, which could not be unmounted.
                const std::string still =
                    f.in_use_at == dir ? " (it is still mounted: its unmount failed)" : "";
                throw VolatileStaleError("overlay at " + quote(dir) +
                                         ": cannot mount with the upperdir " + quote(*spec.upper) +
                                         ": " + v.reason + still + "; nothing was changed");
            }
            std::string msg = "overlay at " + quote(dir) + ": cannot mount the volatile upperdir " +
                              quote(*spec.upper) + " again: " + v.reason + "; nothing was changed";
            if (spec.is_volatile)
                msg += " (x-nsr.volatile-stale=quarantine would set it aside and start empty)";
            throw VolatileStaleError(msg);
        }
        case Action::Quarantine:
            quarantine(spec);
            store_.forget(*spec.upper, *spec.work);
            if (spec.is_volatile)
                mounting(spec);
            break;
    }
    return v;
}

void VolatileGuard::remove_marker(const std::string& work) {
    const std::string incompat_path = work + "/" + kIncompat;
    const std::string marker_path = incompat_path + "/" + kMarker;
    Fd incompat = sfs_.open_path(incompat_path);
    Fd marker = sfs_.open_path(marker_path);
    int rc = k_.unlinkat(marker.get(), kDirty, 0);
    if (rc < 0 && rc != -ENOENT)
        throw_errno(rc, "cannot remove " + quote(marker_path + "/" + kDirty));
    rc = k_.unlinkat(incompat.get(), kMarker, AT_REMOVEDIR);
    if (rc == -ENOTEMPTY || rc == -EEXIST)
        throw_errno(rc, "cannot remove the volatile marker " + quote(marker_path) +
                            ": it holds more than the kernel's " + kDirty + " file");
    if (rc < 0)
        throw_errno(rc, "cannot remove the volatile marker " + quote(marker_path));
}

void VolatileGuard::quarantine(const OverlaySpec& spec) {
    struct Moved {
        std::string path;
        Fd parent;
        std::string name;
        std::string stale;
        struct stat st;
        bool made = false;
    };
    const std::string suffix = ".stale-" + utc_stamp(clock_());
    std::vector<Moved> moved;
    // Undoes what was done so far; the first error is the one reported.
    auto undo = [&] {
        for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
            if (it->made)
                k_.unlinkat(it->parent.get(), it->name.c_str(), AT_REMOVEDIR);
            k_.renameat2(it->parent.get(), it->stale.c_str(), it->parent.get(), it->name.c_str(),
                         RENAME_NOREPLACE);
        }
    };
    try {
        for (const std::string& path : {*spec.upper, *spec.work}) {
            Moved m{path,
                    sfs_.open_path(parent_dir(path)),
                    base_name(path),
                    base_name(path) + suffix,
                    {}};
            check_rc(k_.fstatat(m.parent.get(), m.name.c_str(), &m.st, AT_SYMLINK_NOFOLLOW),
                     "cannot inspect " + quote(path));
            if (!S_ISDIR(m.st.st_mode))
                throw_errno(-ENOTDIR, "cannot set aside " + quote(path));
            check_rc(k_.renameat2(m.parent.get(), m.name.c_str(), m.parent.get(), m.stale.c_str(),
                                  RENAME_NOREPLACE),
                     "cannot rename " + quote(path) + " to " + quote(path + suffix));
            moved.push_back(std::move(m));
        }
        for (auto& m : moved) {
            const std::string& path = m.path;
            check_rc(k_.mkdirat(m.parent.get(), m.name.c_str(), 0700),
                     "cannot create " + quote(path));
            m.made = true;
            check_rc(k_.fchownat(m.parent.get(), m.name.c_str(), m.st.st_uid, m.st.st_gid,
                                 AT_SYMLINK_NOFOLLOW),
                     "cannot chown " + quote(path));
            Fd dir(check_rc(k_.openat(m.parent.get(), m.name.c_str(),
                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
                            "cannot open " + quote(path)));
            check_rc(k_.fchmod(dir.get(), m.st.st_mode & 07777), "cannot chmod " + quote(path));
        }
    } catch (...) {
        undo();
        throw;
    }
    if (debug_) {
        debug_("set aside " + *spec.upper + " as " + *spec.upper + suffix + " and " + *spec.work +
               " as " + *spec.work + suffix + "; made new empty ones");
    }
}

UpperIdentity VolatileGuard::upper_identity(const OverlaySpec& spec) {
    Fd upper = sfs_.open_path(*spec.upper);
    UpperIdentity id;
    check_rc(upper_identity_read(k_, upper.get(), id),
             "cannot inspect upperdir " + quote(*spec.upper));
    return id;
}

void VolatileGuard::mounting(const OverlaySpec& spec) {
    store_.record_mounting(*spec.upper, *spec.work, boot_id_, upper_identity(spec), clock_());
}

void VolatileGuard::mounted(const OverlaySpec& spec) {
    if (!spec.is_volatile) {
        // Its mount leaves no marker: a record of the pair's past is done with.
        if (int rc = store_.forget(*spec.upper, *spec.work); rc < 0)
            throw_errno(rc, "cannot remove the volatile overlay record of " + quote(*spec.upper));
        return;
    }
    const UpperIdentity id = upper_identity(spec);
    const std::string marker_path = *spec.work + "/" + kIncompat + "/" + kMarker;
    Fd incompat = sfs_.open_path(*spec.work + "/" + kIncompat);
    MarkerIdentity marker;
    check_rc(marker_identity_read(k_, incompat.get(), kMarker, marker),
             "cannot inspect the volatile marker " + quote(marker_path));
    store_.record_mounted(*spec.upper, *spec.work, boot_id_, id, marker, clock_());
}

void VolatileGuard::attached(const OverlaySpec& spec) {
    store_.record_attached(*spec.upper, *spec.work);
}

int VolatileGuard::sync_inside(const Fd& root) {
    int fd = k_.openat(root.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -fd;
    Fd readable(fd);
    return -k_.syncfs(readable.get());
}

void VolatileGuard::unmounting(const OverlaySpec& spec, int sync_errno) {
    store_.record_unmounting(*spec.upper, *spec.work, sync_errno, clock_());
}

void VolatileGuard::unmounted(const OverlaySpec& spec, int sync_errno) {
    if (!store_.record_unmounted(*spec.upper, *spec.work, sync_errno, clock_()) && debug_) {
        debug_("volatile overlay of " + *spec.upper +
               " unmounted, but there is no record of its mount to complete");
    }
}

}  // namespace nsr::reconcile
