#include "cmd/run.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "cmd/freeze.hpp"
#include "cmd/lock.hpp"
#include "cmd/ns_file.hpp"
#include "cmd/render.hpp"
#include "cmd/scenario.hpp"
#include "cmd/subcommands.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/atomic_file.hpp"
#include "profile/fstab.hpp"
#include "profile/validate.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/paths.hpp"
#include "reconcile/plan.hpp"

namespace nsr::cmd {

using reconcile::Fd;

namespace {

std::string base_of(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

profile::MountProfile load_checked(const std::string& path, bool strict, const char* what) {
    profile::MountProfile p;
    try {
        p = profile::load_profile(path);
    } catch (const profile::ParseError& e) {
        throw RunError(kExitBadInput, std::string("cannot load ") + what + " profile: " + e.what());
    }
    if (strict) {
        auto problems = profile::validate_profile(p);
        if (!problems.empty()) {
            const auto& pr = problems.front();
            throw RunError(kExitBadInput, path + ":" + std::to_string(pr.line) + ": " + pr.message);
        }
    }
    return p;
}

// $XDG_RUNTIME_DIR at the start of a path names the user's runtime dir.
void expand_user_paths(profile::MountProfile& p, long uid) {
    const std::string var = "$XDG_RUNTIME_DIR";
    const std::string dir = "/run/user/" + std::to_string(uid);
    for (auto& e : p.entries) {
        for (std::string* f : {&e.name, &e.dir}) {
            if (f->rfind(var, 0) == 0 && (f->size() == var.size() || (*f)[var.size()] == '/')) {
                *f = dir + f->substr(var.size());
            }
        }
    }
}

// Where the reconciler may create things without a mimic (snapd's list).
reconcile::Assumptions assumptions_for(const RunRequest& req) {
    reconcile::Assumptions as;
    if (req.user_uid >= 0) {
        if (const char* home = std::getenv("SNAP_REAL_HOME"); home && *home) {
            as.add_unrestricted(home);
        }
        return as;
    }
    const std::string snap = req.name.substr(0, req.name.find('_'));
    for (const std::string& p :
         std::vector<std::string>{"/tmp", "/var/snap", "/snap/" + req.name, "/dev/shm",
                                  "/run/systemd", "/var/lib/snapd/hostfs/tmp"}) {
        as.add_unrestricted(p);
    }
    if (snap != req.name)
        as.add_unrestricted("/snap/" + snap);
    as.add_mode_hint("/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.*", 0700);
    as.add_mode_hint("/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.*/tmp", 01777);
    as.add_mode_hint("/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.*/tmp/.X11-unix", 01777);
    as.add_mode_hint("/dev/shm/snap.*", 01777);
    return as;
}

std::string joined(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths)
        out += (out.empty() ? "" : " ") + p;
    return out;
}

}  // namespace

int reconcile_namespace(const RunRequest& req, std::ostream& out) {
    auto debug = [&](const std::string& s) {
        if (req.debug)
            req.debug(s);
    };
    // Everything on the host side happens before setns: the lock, both
    // profiles and the state directory.
    Fd lock;
    if (req.from_snap_confine) {
        require_lock_held_elsewhere(req.paths.lock, req.name);
    } else if (req.user_uid < 0 && req.take_lock) {
        try {
            lock = take_lock(req.paths.lock, req.lock_timeout);
        } catch (const LockTimeout& e) {
            throw RunError(kExitLocked, e.what());
        }
    }
    profile::MountProfile desired =
        load_checked(req.paths.desired, req.strict_validation, "desired");
    profile::MountProfile current;
    if (req.user_uid < 0 || req.save_current) {
        current = load_checked(req.paths.current, false, "current");
    }
    Fd state_dir;
    if (req.save_current && !req.dry_run) {
        int fd = ::open(reconcile::parent_dir(req.paths.current).c_str(),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            throw std::system_error(
                errno, std::generic_category(),
                "cannot open the state directory " + reconcile::parent_dir(req.paths.current));
        }
        state_dir = Fd(fd);
    }
    // The cgroup files live in the host's /sys/fs/cgroup. Opening them even
    // for a dry run checks the paths without freezing anything.
    std::optional<Freezer> freezer;
    if (!req.freeze_cgroups.empty()) {
        try {
            freezer.emplace(req.freeze_cgroups);
        } catch (const BadCgroup& e) {
            throw RunError(kExitBadInput, e.what());
        }
    }
    if (req.enter_namespace) {
        try {
            enter_namespace(req.paths.ns_file);
        } catch (const std::system_error& e) {
            int err = e.code().value();
            if (err == ENOENT || err == EINVAL) {
                debug("no preserved mount namespace at " + req.paths.ns_file + ", nothing to do");
                if (!req.json)
                    out << "no mount namespace at " << req.paths.ns_file << ": nothing to do\n";
                else
                    out << nlohmann::json{{"namespace", nullptr},
                                          {"changes", nlohmann::json::array()}}
                               .dump(2)
                        << "\n";
                return kExitOk;
            }
            throw;
        }
    }
    if (req.user_uid >= 0) {
        expand_user_paths(desired, req.user_uid);
        expand_user_paths(current, req.user_uid);
    }

    auto table = mountinfo::MountTable::from_self();
    reconcile::LiveFsView fs;
    auto changes = reconcile::plan(current, desired, fs, {.tuck = req.tuck});
    if (req.dry_run) {
        auto planned = judge(std::move(changes), &table, fs);
        out << (req.json ? plan_json(planned).dump(2) + "\n" : plan_text(planned));
        return kExitOk;
    }

    reconcile::Assumptions as = assumptions_for(req);
    for (const auto& e : current.entries)
        as.record({reconcile::Action::Mount, e, std::nullopt});
    reconcile::LinuxKernel kernel;
    reconcile::ExecOptions opts;
    opts.tuck = req.tuck;
    opts.uid = ::getuid();
    opts.gid = ::getgid();
    opts.debug = req.debug;
    reconcile::Executor exec(kernel, table, fs, as, opts);
    const bool anything_to_change = std::any_of(changes.begin(), changes.end(), [](const auto& c) {
        return c.action != reconcile::Action::Keep;
    });
    if (freezer && anything_to_change) {
        try {
            freezer->freeze();
        } catch (const FreezeTimeout& e) {
            throw RunError(kExitFailed, e.what());
        }
        debug("froze " + joined(req.freeze_cgroups));
    }
    auto result = exec.run(changes);
    if (freezer && anything_to_change) {
        freezer->thaw();
        debug("thawed " + joined(req.freeze_cgroups));
    }

    if (req.save_current) {
        profile::atomic_write_at(state_dir.get(), base_of(req.paths.current),
                                 profile::format_profile(result.new_current), 0644,
                                 req.paths.current);
    }
    out << (req.json ? outcomes_json(result.outcomes).dump(2) + "\n"
                     : outcomes_text(result.outcomes));
    bool failed = false;
    for (const auto& o : result.outcomes) {
        if (o.status == reconcile::Status::Failed) {
            failed = true;
            debug("cannot change mount namespace according to change " +
                  std::string(reconcile::action_name(o.change.action)) + " (" +
                  o.change.entry.to_string() + "): " + o.detail);
        }
    }
    if (result.fatal) {
        for (const auto& o : result.outcomes) {
            if (o.status == reconcile::Status::Failed)
                throw RunError(kExitFailed, o.detail);
        }
    }
    return failed && req.failures_are_errors ? kExitFailed : kExitOk;
}

}  // namespace nsr::cmd
