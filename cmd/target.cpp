#include "cmd/target.hpp"

#include <stdexcept>

#include "cmd/subcommands.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

po::options_description target_options(unsigned flags) {
    po::options_description opts("namespace and paths");
    opts.add_options()("layout", po::value<std::string>()->default_value("native"),
                       "path layout: native (/run/nsreconcile, /var/lib/nsreconcile) or snapd "
                       "(/run/snapd, /var/lib/snapd)");
    if (flags & kNsFileFlag)
        opts.add_options()("ns-file", po::value<std::string>(), "namespace file");
    if (flags & kDesiredFlag)
        opts.add_options()("desired", po::value<std::string>(), "desired profile");
    if (flags & kCurrentFlag)
        opts.add_options()("current", po::value<std::string>(), "current profile");
    if (flags & kLockFlags) {
        opts.add_options()("lock", po::value<std::string>(), "lock file")(
            "lock-timeout", po::value<double>()->default_value(-1),
            "seconds to wait for the lock (exit 3 after); negative waits forever");
    }
    return opts;
}

Target resolve_target(const po::variables_map& vm, const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
        name.find('\n') != std::string::npos) {
        throw UsageError("invalid namespace name '" + name + "'");
    }
    Target t;
    t.name = name;
    try {
        t.layout = layout_from_name(vm["layout"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    t.paths = paths_for(t.layout, name);
    for (auto [flag, field] : {std::pair{"ns-file", &t.paths.ns_file},
                               {"desired", &t.paths.desired},
                               {"current", &t.paths.current},
                               {"lock", &t.paths.lock}}) {
        if (vm.count(flag))
            *field = vm[flag].as<std::string>();
    }
    if (vm.count("lock-timeout"))
        t.lock_timeout = vm["lock-timeout"].as<double>();
    return t;
}

}  // namespace nsr::cmd
