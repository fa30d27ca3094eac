#include <unistd.h>

#include <iostream>

#include "cmd/help_text.hpp"
#include "cmd/inspect.hpp"
#include "cmd/options.hpp"
#include "cmd/subcommands.hpp"
#include "cmd/target.hpp"
#include "cmd/text_report.hpp"
#include "profile/fstab.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int run_check(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")("json", "print JSON instead of text");
    opts.add(target_options(kNsFileFlag | kCurrentFlag));
    auto vm = parse_named_command_line(args, opts);
    if (vm.count("help")) {
        print_help(std::cout,
                   {"usage: nsreconcile check NAME [--json] [options]\n",
                    "Enters the namespace NAME read-only and compares its current profile\n"
                    "with the live mount table, entry by entry: what is missing (-), what\n"
                    "differs (~: something else is mounted there), and what is mounted at or\n"
                    "below the profile's mount points without being in it (+: duplicates\n"
                    "stacked on one mount point included). Exit 0 when in step (or there is\n"
                    "no namespace), 1 when drifted, 2 on bad input.\n",
                    {"# a monitoring job: repair what drifted",
                     "nsreconcile check myapp || nsreconcile apply myapp"}},
                   &opts);
        return kExitOk;
    }
    const Target target = resolve_target(vm, name_argument(vm, "check needs a namespace NAME"));
    const bool json = vm.count("json") > 0;
    NamespaceState state;
    try {
        state = inspect_namespace(target.paths);
    } catch (const profile::ParseError& e) {
        std::cerr << "nsreconcile: cannot load current profile: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (!state.drift) {
        if (json) {
            std::cout << nlohmann::json{{"namespace", nullptr}, {"in_step", true}}.dump(2) << "\n";
        } else {
            std::cout << "no mount namespace at " << target.paths.ns_file << ": nothing to check\n";
        }
        return kExitOk;
    }
    if (json) {
        auto j = drift_json(*state.drift);
        j["namespace"] = target.name;
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << drift_text(*state.drift, {.colour = colour_wanted(STDOUT_FILENO)});
    }
    return state.drift->in_step() ? kExitOk : kExitFailed;
}

}  // namespace nsr::cmd
