#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <system_error>

#include "cmd/lock.hpp"
#include "cmd/ns_file.hpp"
#include "cmd/options.hpp"
#include "cmd/run.hpp"
#include "cmd/subcommands.hpp"
#include "cmd/target.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

// Parses "NAME [options]" for an ns subcommand.
po::variables_map parse_named(const Args& args, const po::options_description& opts) {
    po::options_description hidden;
    hidden.add_options()("name", po::value<std::string>(), "namespace name");
    po::positional_options_description pos;
    pos.add("name", 1);
    return parse_command_line(args, opts, hidden, pos);
}

reconcile::Fd lock_for(const Target& t) {
    try {
        return take_lock(t.paths.lock, t.lock_timeout);
    } catch (const LockTimeout& e) {
        throw RunError(kExitLocked, e.what());
    }
}

int report_run_error(const RunError& e) {
    std::cerr << "nsreconcile: " << e.what() << "\n";
    return e.exit_code;
}

}  // namespace

int run_ns_create(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "propagation", po::value<std::string>()->default_value("slave"),
        "slave: mounts made on the host later still appear inside; private: nothing "
        "propagates either way")("apply",
                                 "reconcile the new namespace to its desired profile at once");
    opts.add(target_options());
    auto vm = parse_named(args, opts);
    if (vm.count("help")) {
        std::cout << "usage: nsreconcile ns create NAME [--propagation slave|private] [--apply]\n\n"
                     "Creates a persistent mount namespace for NAME: a copy of this one whose\n"
                     "mounts are made slave (or private) to it, kept alive by binding it to the\n"
                     "namespace file. The directory of the namespace file is made a private\n"
                     "mount of itself first when it is not one. Exit 0 when created, 1 when\n"
                     "it already exists or cannot be made, 2 on bad input, 3 on lock timeout.\n\n"
                  << opts;
        return kExitOk;
    }
    if (!vm.count("name"))
        throw UsageError("ns create needs a namespace NAME");
    const Target target = resolve_target(vm, vm["name"].as<std::string>());
    Propagation propagation;
    try {
        propagation = propagation_from_name(vm["propagation"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    const auto debug = debug_log(target);
    try {
        {
            reconcile::Fd lock = lock_for(target);
            if (namespace_alive(target.paths.ns_file)) {
                std::cerr << "nsreconcile: namespace " << target.name << " already exists at "
                          << target.paths.ns_file << "\n";
                return kExitFailed;
            }
            create_namespace(target.paths.ns_file, propagation, debug);
        }
        std::cout << "created namespace " << target.name << " at " << target.paths.ns_file << "\n";
        if (!vm.count("apply"))
            return kExitOk;
        RunRequest req;
        req.name = target.name;
        req.paths = target.paths;
        req.lock_timeout = target.lock_timeout;
        req.debug = debug;
        return reconcile_namespace(req, std::cout);
    } catch (const RunError& e) {
        return report_run_error(e);
    }
}

int run_ns_discard(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help");
    opts.add(target_options(kNsFileFlag | kCurrentFlag | kLockFlags));
    auto vm = parse_named(args, opts);
    if (vm.count("help")) {
        std::cout << "usage: nsreconcile ns discard NAME\n\n"
                     "Under the lock, unmounts and removes the namespace file of NAME and\n"
                     "removes its current profile. The namespace itself goes away when its\n"
                     "last process exits. Exit 0 (also when there was nothing to discard), 1\n"
                     "when a file could not be removed, 3 on lock timeout.\n\n"
                  << opts;
        return kExitOk;
    }
    if (!vm.count("name"))
        throw UsageError("ns discard needs a namespace NAME");
    const Target target = resolve_target(vm, vm["name"].as<std::string>());
    try {
        reconcile::Fd lock = lock_for(target);
        const bool had_ns = discard_namespace_file(target.paths.ns_file);
        const bool had_profile = ::unlink(target.paths.current.c_str()) == 0;
        if (!had_profile && errno != ENOENT) {
            throw std::system_error(errno, std::generic_category(),
                                    "cannot remove " + target.paths.current);
        }
        if (had_ns || had_profile) {
            std::cout << "discarded namespace " << target.name << "\n";
        } else {
            std::cout << "no namespace " << target.name << ": nothing to discard\n";
        }
        return kExitOk;
    } catch (const RunError& e) {
        return report_run_error(e);
    }
}

}  // namespace nsr::cmd
