#include "cmd/target.hpp"

#include <iostream>
#include <stdexcept>
#include <tuple>

#include "mntns/namespace.hpp"
#include "reconcile/lock.hpp"
#include "reconcile/plan_only_context.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

po::options_description target_options(unsigned flags) {
    po::options_description opts("namespace, paths and logging");
    opts.add_options()("config", po::value<std::string>(),
                       "configuration file (default: /etc/nsreconcile/config.yaml, if it exists)")(
        "layout", po::value<std::string>(),
        "path layout: native (/run/nsreconcile, /var/lib/nsreconcile; the default) or snapd "
        "(/run/snapd, /var/lib/snapd)");
    if (flags & kNsFileFlag)
        opts.add_options()("ns-file", po::value<std::string>(), "namespace file");
    if (flags & kPidFlag) {
        opts.add_options()("pid", po::value<long>(),
                           "the mount namespace of process PID (/proc/PID/ns/mnt), a container's: "
                           "bind sources and overlay layers are taken on the host");
    }
    if (flags & kDesiredFlag)
        opts.add_options()("desired", po::value<std::string>(), "desired profile");
    if (flags & kCurrentFlag)
        opts.add_options()("current", po::value<std::string>(), "current profile");
    opts.add_options()("log-level", po::value<std::string>(), "error (the default) or debug")(
        "debug,v", "log every step on stderr (--log-level debug)");
    if (flags & kLockFlags) {
        opts.add_options()("lock", po::value<std::string>(), "lock file")(
            "lock-timeout", po::value<double>(),
            "seconds to wait for the lock (exit 3 after); negative waits forever (the default)");
    }
    return opts;
}

Settings resolve_settings(const po::variables_map& vm) {
    Settings s;
    s.config = vm.count("config") ? load_config(vm["config"].as<std::string>())
                                  : load_config(kDefaultConfigPath, true);
    try {
        if (vm.count("layout"))
            s.layout = layout_from_name(vm["layout"].as<std::string>());
        else if (s.config.layout)
            s.layout = *s.config.layout;
        if (vm.count("debug"))
            s.log_level = LogLevel::Debug;
        else if (vm.count("log-level"))
            s.log_level = log_level_from_name(vm["log-level"].as<std::string>());
        else if (s.config.log_level)
            s.log_level = *s.config.log_level;
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (vm.count("lock-timeout")) {
        s.lock_timeout = vm["lock-timeout"].as<double>();
        // A NaN compares false both ways: it would wait forever as no
        // negative number does, and an infinite or huge deadline overflows
        // the clock.
        if (const auto problem = reconcile::lock_timeout_problem(s.lock_timeout);
            !problem.empty()) {
            throw UsageError("--lock-timeout " + problem + ", not '" +
                             std::to_string(s.lock_timeout) + "'");
        }
    } else if (s.config.lock_timeout)
        s.lock_timeout = *s.config.lock_timeout;
    return s;
}

reconcile::NamespacePaths configured_templates(const Settings& settings) {
    reconcile::NamespacePaths t = path_templates(settings.layout);
    const auto file = settings.config.paths.find(settings.layout);
    if (file == settings.config.paths.end())
        return t;
    for (auto [field, from_file] : {std::pair{&t.ns_file, &PathTemplates::ns_file},
                                    {&t.desired, &PathTemplates::desired},
                                    {&t.current, &PathTemplates::current},
                                    {&t.lock, &PathTemplates::lock}}) {
        if (file->second.*from_file)
            *field = *(file->second.*from_file);
    }
    return t;
}

Target resolve_target(const po::variables_map& vm, const std::string& name,
                      std::optional<uid_t> user) {
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
        name.find('\n') != std::string::npos) {
        throw UsageError("invalid namespace name '" + name + "'");
    }
    Target t{name, resolve_settings(vm), {}};
    const reconcile::NamespacePaths templates = configured_templates(t.settings);
    t.paths =
        user ? user_paths_for(t.settings.layout, name, *user) : paths_for(t.settings.layout, name);
    for (auto [flag, field, from] : {std::tuple{"ns-file", &t.paths.ns_file, &templates.ns_file},
                                     {"desired", &t.paths.desired, &templates.desired},
                                     {"current", &t.paths.current, &templates.current},
                                     {"lock", &t.paths.lock, &templates.lock}}) {
        const bool per_user_profile =
            user && (field == &t.paths.desired || field == &t.paths.current);
        if (vm.count(flag))
            *field = vm[flag].as<std::string>();
        else if (!per_user_profile)
            *field = expand_name(*from, name);
    }
    if (vm.count("pid")) {
        if (vm.count("ns-file"))
            throw UsageError("--pid and --ns-file name the namespace twice; give one");
        if (vm["pid"].as<long>() <= 0)
            throw UsageError("--pid needs a process id");
        t.paths.ns_file = "/proc/" + std::to_string(vm["pid"].as<long>()) + "/ns/mnt";
    }
    return t;
}

std::function<void(const std::string&)> debug_log(const Settings& settings) {
    if (settings.log_level != LogLevel::Debug)
        return {};
    return [](const std::string& s) { std::cerr << "debug: " << s << "\n"; };
}

reconcile::WritablePlaces writable_places(const Target& target) {
    if (target.settings.layout == Layout::Snapd)
        return reconcile::snapd_system_places(target.name);
    return reconcile::native_places(
        target.settings.config.writable.value_or(reconcile::default_native_writable()));
}

std::unique_ptr<reconcile::UpdateContext> system_context(const Target& target) {
    if (const auto pid = mntns::process_of(target.paths.ns_file)) {
        return std::make_unique<reconcile::ContainerContext>(
            target.paths, *pid, target.settings.lock_timeout, reconcile::ProfileChecks::Lint);
    }
    return std::make_unique<reconcile::SystemContext>(target.paths, writable_places(target),
                                                      target.settings.lock_timeout,
                                                      reconcile::ProfileChecks::Lint);
}

std::unique_ptr<reconcile::UpdateContext> plan_only_context(const Target& target) {
    return std::make_unique<reconcile::PlanOnlyContext>(system_context(target));
}

std::unique_ptr<reconcile::UpdateContext> user_context(const Target& target, uid_t uid,
                                                       const std::string& real_home) {
    return std::make_unique<reconcile::UserContext>(
        target.paths, reconcile::UserDirs{uid, reconcile::user_group(uid), real_home},
        target.settings.lock_timeout, reconcile::ProfileChecks::Lint);
}

}  // namespace nsr::cmd
