#include "cmd/run.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "base/path.hpp"
#include "cmd/freeze.hpp"
#include "cmd/lock.hpp"
#include "cmd/ns_file.hpp"
#include "cmd/render.hpp"
#include "cmd/scenario.hpp"
#include "cmd/subcommands.hpp"
#include "cmd/text_report.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "profile/validate.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_state.hpp"
#include "reconcile/plan.hpp"
#include "reconcile/table_mount_view.hpp"

namespace nsr::cmd {

using base::Fd;

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

// VAR at the start of PATH, followed by '/' or the end.
bool starts_with_var(const std::string& path, std::string_view var) {
    return path.rfind(var, 0) == 0 && (path.size() == var.size() || path[var.size()] == '/');
}

// SNAP_REAL_HOME, when it is a usable home directory; else why not.
std::optional<std::string> real_home(std::string& problem) {
    const char* env = std::getenv("SNAP_REAL_HOME");
    const std::string home = env ? env : "";
    if (home.empty() || home[0] != '/') {
        problem = "not an absolute path";
    } else if (base::clean_path(home) != home) {
        problem = "not a clean path";
    } else if (int fd = ::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
               fd < 0) {
        problem = std::strerror(errno);
    } else {
        ::close(fd);
        return home;
    }
    problem = "cannot use invalid home directory \"" + home + "\": " + problem;
    return std::nullopt;
}

// Per-user profiles (snapd's user mode): $XDG_RUNTIME_DIR at the start of a
// source or mount point is /run/user/UID; $HOME is the user's real home
// (SNAP_REAL_HOME), and only in ensure-dir entries, in the mount point and
// in x-snapd.must-exist-dir. An unusable home fails the whole update.
void expand_user_paths(profile::MountProfile& p, long uid) {
    constexpr std::string_view xdg = "$XDG_RUNTIME_DIR", home_var = "$HOME",
                               must_exist = "x-snapd.must-exist-dir=";
    const std::string runtime_dir = "/run/user/" + std::to_string(uid);
    std::optional<std::string> home;
    std::string home_problem;
    bool home_checked = false;
    for (auto& e : p.entries) {
        const std::string original = e.to_string();
        for (std::string* f : {&e.name, &e.dir}) {
            if (starts_with_var(*f, xdg))
                *f = runtime_dir + f->substr(xdg.size());
        }
        if (profile::kind(e) != profile::Kind::EnsureDir)
            continue;
        auto expand_home = [&](std::string& path) {
            if (!starts_with_var(path, home_var))
                return;
            if (!home_checked) {
                home = real_home(home_problem);
                home_checked = true;
            }
            if (!home) {
                throw RunError(kExitFailed,
                               "cannot expand mount entry (" + original + "): " + home_problem);
            }
            path = *home + path.substr(home_var.size());
        };
        expand_home(e.dir);
        for (auto& o : e.options) {
            if (o.rfind(must_exist, 0) == 0) {
                std::string value = o.substr(must_exist.size());
                expand_home(value);
                o = std::string(must_exist) + value;
            }
        }
    }
}

// Where the reconciler may create things without a mimic (snapd's list).
reconcile::Assumptions assumptions_for(const RunRequest& req) {
    reconcile::Assumptions as;
    if (req.container_pid) {
        // A container's root filesystem is its own: mount points are made
        // where they are missing, as runc makes them.
        as.add_unrestricted("/");
        return as;
    }
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

// NSRECONCILE_MOUNT_SOURCE=mountinfo makes the run read the whole mount
// table, as on kernels without statmount (to compare the two).
reconcile::MountSource mount_source() {
    const char* v = std::getenv("NSRECONCILE_MOUNT_SOURCE");
    return v && std::string_view(v) == "mountinfo" ? reconcile::MountSource::Mountinfo
                                                   : reconcile::MountSource::Auto;
}

std::string joined(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths)
        out += (out.empty() ? "" : " ") + p;
    return out;
}

}  // namespace

RunRequest request_for(const Target& target) {
    RunRequest req;
    req.name = target.name;
    req.paths = target.paths;
    req.lock_timeout = target.lock_timeout;
    req.debug = debug_log(target);
    req.container_pid = container_pid(target.paths.ns_file);
    return req;
}

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
    } else if (req.take_lock) {
        lock = take_lock(req.paths.lock, req.lock_timeout);
    }
    profile::MountProfile desired =
        load_checked(req.paths.desired, req.strict_validation, "desired");
    profile::MountProfile current;
    if (req.user_uid < 0 || req.save_current) {
        current = load_checked(req.paths.current, false, "current");
    }
    Fd state_dir;
    if (req.save_current && !req.dry_run) {
        int fd =
            ::open(base::parent_dir(req.paths.current).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            throw std::system_error(
                errno, std::generic_category(),
                "cannot open the state directory " + base::parent_dir(req.paths.current));
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
    // A container's sources are host paths its root does not show: taken
    // now, with the host's table to resolve them in. Its mount table is read
    // now too: after setns, the container's /proc (of its own PID namespace)
    // has no /proc/self for this process.
    reconcile::LinuxKernel kernel;
    Fd host_proc;
    // Leaves the container's namespace when the run ends, however it ends:
    // what runs at exit (a sanitizer's leak check) reads /proc, which
    // inside is the container's.
    struct Return {
        Fd home;
        const RunRequest& req;
        ~Return() {
            if (home && ::setns(home.get(), CLONE_NEWNS) != 0 && req.debug)
                req.debug(std::string("cannot return to the host's namespace: ") +
                          std::strerror(errno));
        }
    } leave{Fd(), req};
    std::optional<mountinfo::MountTable> host_table;
    std::optional<mountinfo::MountTable> container_table;
    std::optional<reconcile::HostSources> host_sources;
    if (req.container_pid) {
        const std::string pid = std::to_string(*req.container_pid);
        try {
            container_table = mountinfo::MountTable::from_file("/proc/" + pid + "/mountinfo");
        } catch (const std::system_error&) {
            // No such process: enter_namespace() below says so.
        }
        if (container_table) {
            host_proc = Fd(base::check_sys(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC),
                                           "cannot open /proc"));
            leave.home = Fd(base::check_sys(::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC),
                                            "cannot open this process's mount namespace"));
            host_table = mountinfo::MountTable::from_self();
            if (!req.dry_run) {
                debug("process " + pid +
                      " is a container: taking bind sources and overlay layers on the host");
                host_sources =
                    reconcile::HostSources::take(kernel, desired, *container_table, req.debug);
            }
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
    // Inside a container, its /proc has no /proc/self for this process:
    // working from the host's /proc, self/fd/N still names this process's
    // fds (MountOps::detach). Every other path here is absolute.
    if (host_proc && ::fchdir(host_proc.get()) != 0)
        base::throw_errno(-errno, "cannot work from the host's /proc");
    if (req.user_uid >= 0) {
        expand_user_paths(desired, req.user_uid);
        expand_user_paths(current, req.user_uid);
    }

    // What is mounted where: a container's table, read from the host, or
    // (the usual case) the kernel asked about each path the plan names.
    std::optional<reconcile::MountState> mounts;
    if (container_table)
        mounts.emplace(kernel, std::move(*container_table));
    else
        mounts.emplace(kernel, mount_source(), req.debug);
    std::optional<reconcile::TableMountView> host_view;
    if (host_table)
        host_view.emplace(*host_table);
    reconcile::LiveFsView fs;
    reconcile::Assumptions as = assumptions_for(req);
    for (const auto& e : current.entries)
        as.record({reconcile::Action::Mount, e, std::nullopt});
    // The profiles' entries move into the plan.
    auto changes = reconcile::plan(std::move(current), std::move(desired), fs, {.tuck = req.tuck});
    if (req.dry_run) {
        auto planned =
            judge(std::move(changes), &mounts->view(), fs, host_view ? &*host_view : nullptr);
        if (req.debug) {
            for (const auto& line : reason_lines(planned))
                debug(line);
        }
        out << (req.json ? plan_json(planned).dump(2) + "\n" : plan_text(planned, true, req.text));
        return kExitOk;
    }

    reconcile::ExecOptions opts;
    opts.tuck = req.tuck;
    opts.uid = ::getuid();
    opts.gid = ::getgid();
    opts.debug = req.debug;
    opts.host_sources = host_sources ? &*host_sources : nullptr;
    opts.source_table = host_table ? &*host_table : nullptr;
    reconcile::Executor exec(kernel, mounts->view(), fs, as, opts);
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
    auto result = exec.run(std::move(changes));
    if (freezer && anything_to_change) {
        freezer->thaw();
        debug("thawed " + joined(req.freeze_cgroups));
    }

    if (req.save_current) {
        base::write_file_at(state_dir.get(), base_of(req.paths.current),
                            profile::format_entries(result.in_place), 0644, req.paths.current);
    }
    if (req.debug) {
        for (const auto& line : reason_lines(result.outcomes))
            debug(line);
    }
    // A stream in a failed state (std::ostream(nullptr)) discards the report:
    // it is not built.
    if (out)
        out << (req.json ? outcomes_json(result.outcomes).dump(2) + "\n"
                         : outcomes_text(result.outcomes, req.text));
    bool failed = false;
    for (const auto& o : result.outcomes) {
        if (o.status == reconcile::Status::Failed) {
            failed = true;
            debug("cannot change mount namespace according to change " +
                  std::string(reconcile::action_name(o.change->action)) + " (" +
                  o.change->entry.to_string() + "): " + o.detail);
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
