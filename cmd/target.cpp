#include "cmd/target.hpp"

#include <iostream>
#include <stdexcept>
#include <tuple>

#include "cmd/subcommands.hpp"

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

Target resolve_target(const po::variables_map& vm, const std::string& name, long user_uid) {
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
        name.find('\n') != std::string::npos) {
        throw UsageError("invalid namespace name '" + name + "'");
    }
    const Config config = vm.count("config") ? load_config(vm["config"].as<std::string>())
                                             : load_config(kDefaultConfigPath, true);
    Target t;
    t.name = name;
    try {
        if (vm.count("layout"))
            t.layout = layout_from_name(vm["layout"].as<std::string>());
        else if (config.layout)
            t.layout = *config.layout;
        if (vm.count("debug"))
            t.log_level = LogLevel::Debug;
        else if (vm.count("log-level"))
            t.log_level = log_level_from_name(vm["log-level"].as<std::string>());
        else if (config.log_level)
            t.log_level = *config.log_level;
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    t.paths = paths_for(t.layout, name, user_uid);
    const auto templates = config.paths.find(t.layout);
    for (auto [flag, field, from_file] :
         {std::tuple{"ns-file", &t.paths.ns_file, &PathTemplates::ns_file},
          {"desired", &t.paths.desired, &PathTemplates::desired},
          {"current", &t.paths.current, &PathTemplates::current},
          {"lock", &t.paths.lock, &PathTemplates::lock}}) {
        const bool per_user_profile =
            user_uid >= 0 && (field == &t.paths.desired || field == &t.paths.current);
        if (vm.count(flag))
            *field = vm[flag].as<std::string>();
        else if (templates != config.paths.end() && templates->second.*from_file &&
                 !per_user_profile)
            *field = expand_name(*(templates->second.*from_file), name);
    }
    if (vm.count("pid")) {
        if (vm.count("ns-file"))
            throw UsageError("--pid and --ns-file name the namespace twice; give one");
        if (vm["pid"].as<long>() <= 0)
            throw UsageError("--pid needs a process id");
        t.paths.ns_file = "/proc/" + std::to_string(vm["pid"].as<long>()) + "/ns/mnt";
    }
    if (vm.count("lock-timeout"))
        t.lock_timeout = vm["lock-timeout"].as<double>();
    else if (config.lock_timeout)
        t.lock_timeout = *config.lock_timeout;
    return t;
}

std::function<void(const std::string&)> debug_log(const Target& target) {
    if (target.log_level != LogLevel::Debug)
        return {};
    return [](const std::string& s) { std::cerr << "debug: " << s << "\n"; };
}

}  // namespace nsr::cmd
