#include <iostream>

#include "cmd/options.hpp"
#include "cmd/render.hpp"
#include "cmd/scenario.hpp"
#include "cmd/subcommands.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int run_plan(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "scenario", po::value<std::string>(),
        "plan the scenario in this YAML file (no root needed)")("json",
                                                                "print JSON instead of text")(
        "no-tuck", "plan as snapd does: unmount, then mount, no replace");
    auto vm = parse_command_line(args, opts);
    if (vm.count("help")) {
        std::cout << "usage: nsreconcile plan --scenario FILE [--json] [--no-tuck]\n\n"
                     "Prints the ordered changes that would bring the current profile to the\n"
                     "desired one, each checked against the mount table: a change already in\n"
                     "effect is marked (already done: REASON). Changes nothing.\n\n"
                  << opts;
        return kExitOk;
    }
    if (!vm.count("scenario"))
        throw UsageError("plan needs --scenario FILE");
    Scenario s;
    try {
        s = load_scenario(vm["scenario"].as<std::string>());
    } catch (const std::exception& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
        return kExitBadInput;
    }
    const bool tuck = s.tuck && !vm.count("no-tuck");
    auto changes = plan_scenario(s, tuck);
    if (vm.count("json")) {
        std::cout << plan_json(changes).dump(2) << "\n";
    } else {
        std::cout << plan_text(changes);
    }
    return kExitOk;
}

}  // namespace nsr::cmd
