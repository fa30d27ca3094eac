#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <system_error>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "cmd/help_text.hpp"
#include "cmd/lock.hpp"
#include "cmd/ns_file.hpp"
#include "cmd/options.hpp"
#include "cmd/run.hpp"
#include "cmd/subcommands.hpp"
#include "cmd/target.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int run_ns_create(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "propagation", po::value<std::string>()->default_value("slave"),
        "slave: mounts made on the host later still appear inside; private: nothing "
        "propagates either way")("apply",
                                 "reconcile the new namespace to its desired profile at once");
    opts.add(target_options());
    auto vm = parse_named_command_line(args, opts);
    if (vm.count("help")) {
        print_help(std::cout,
                   {"usage: nsreconcile ns create NAME [--propagation slave|private] [--apply]\n",
                    "Creates a persistent mount namespace for NAME: a copy of this one whose\n"
                    "mounts are made slave (or private) to it, kept alive by binding it to the\n"
                    "namespace file. The directory of the namespace file is made a private\n"
                    "mount of itself first when it is not one. Exit 0 when created, 1 when\n"
                    "it already exists or cannot be made, 2 on bad input, 3 on lock timeout.\n",
                    {"nsreconcile ns create myapp --apply"}},
                   &opts);
        return kExitOk;
    }
    const Target target = resolve_target(vm, name_argument(vm, "ns create needs a namespace NAME"));
    Propagation propagation;
    try {
        propagation = propagation_from_name(vm["propagation"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    {
        base::Fd lock = take_lock(target.paths.lock, target.lock_timeout);
        if (namespace_alive(target.paths.ns_file)) {
            std::cerr << "nsreconcile: namespace " << target.name << " already exists at "
                      << target.paths.ns_file << "\n";
            return kExitFailed;
        }
        create_namespace(target.paths.ns_file, propagation, debug_log(target));
    }
    std::cout << "created namespace " << target.name << " at " << target.paths.ns_file << "\n";
    if (!vm.count("apply"))
        return kExitOk;
    return reconcile_namespace(request_for(target), std::cout);
}

int run_ns_discard(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help");
    opts.add(target_options(kNsFileFlag | kCurrentFlag | kLockFlags));
    auto vm = parse_named_command_line(args, opts);
    if (vm.count("help")) {
        print_help(std::cout,
                   {"usage: nsreconcile ns discard NAME [options]\n",
                    "Under the lock, unmounts and removes the namespace file of NAME and\n"
                    "removes its current profile. The namespace itself goes away when its\n"
                    "last process exits. Exit 0 (also when there was nothing to discard), 1\n"
                    "when a file could not be removed, 3 on lock timeout.\n",
                    {"nsreconcile ns discard myapp"}},
                   &opts);
        return kExitOk;
    }
    const Target target =
        resolve_target(vm, name_argument(vm, "ns discard needs a namespace NAME"));
    base::Fd lock = take_lock(target.paths.lock, target.lock_timeout);
    const bool had_ns = discard_namespace_file(target.paths.ns_file);
    const bool had_profile = ::unlink(target.paths.current.c_str()) == 0;
    if (!had_profile && errno != ENOENT)
        base::throw_errno(-errno, "cannot remove " + target.paths.current);
    if (had_ns || had_profile) {
        std::cout << "discarded namespace " << target.name << "\n";
    } else {
        std::cout << "no namespace " << target.name << ": nothing to discard\n";
    }
    return kExitOk;
}

}  // namespace nsr::cmd
