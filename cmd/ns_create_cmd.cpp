#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/ns_file.hpp"
#include "cmd/options.hpp"
#include "cmd/target.hpp"
#include "cmd/update_output.hpp"
#include "mntns/namespace.hpp"
#include "reconcile/lock.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int ns_create_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "propagation", po::value<std::string>()->default_value("slave"),
        "slave: mounts made on the host later still appear inside; private: nothing "
        "propagates either way")("apply",
                                 "reconcile the new namespace to its desired profile at once");
    const auto vm = parse_subcommand_line(
        args, opts, kAllTargetFlags, Positional::Name,
        {"usage: nsreconcile ns create NAME [--propagation slave|private] [--apply]\n",
         "Creates a persistent mount namespace for NAME: a copy of this one whose\n"
         "mounts are made slave (or private) to it, kept alive by binding it to the\n"
         "namespace file. The directory of the namespace file is made a private\n"
         "mount of itself first when it is not one. Exit 0 when created, 1 when\n"
         "it already exists or cannot be made, 2 on bad input, 3 on lock timeout.\n",
         {"nsreconcile ns create myapp --apply"}});
    if (vm.count("help"))
        return kExitOk;
    const Target target = resolve_target(vm, name_argument(vm, "ns create needs a namespace NAME"));
    mntns::Propagation propagation;
    try {
        propagation = mntns::propagation_from_name(vm["propagation"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    const auto debug = debug_log(target.settings);
    {
        const base::Fd lock = reconcile::take_lock(target.paths.lock, target.settings.lock_timeout);
        if (mntns::is_bound(target.paths.ns_file)) {
            std::cerr << "nsreconcile: namespace " << target.name << " already exists at "
                      << target.paths.ns_file << "\n";
            return kExitFailed;
        }
        create_namespace(target.paths.ns_file, propagation, debug);
    }
    std::cout << "created namespace " << target.name << " at " << target.paths.ns_file << "\n";
    if (!vm.count("apply"))
        return kExitOk;
    UpdateRequest request;
    request.options.debug = debug;
    return print_applied_update(*system_context(target), request, std::cout);
}

}  // namespace nsr::cmd
