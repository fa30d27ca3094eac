#include <iostream>

#include "cmd/options.hpp"
#include "cmd/render.hpp"
#include "cmd/run.hpp"
#include "cmd/scenario.hpp"
#include "cmd/subcommands.hpp"
#include "cmd/target.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

int plan_scenario_file(const std::string& path, bool json, bool no_tuck) {
    Scenario s;
    try {
        s = load_scenario(path);
    } catch (const std::exception& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
        return kExitBadInput;
    }
    auto changes = plan_scenario(s, s.tuck && !no_tuck);
    std::cout << (json ? plan_json(changes).dump(2) + "\n" : plan_text(changes));
    return kExitOk;
}

}  // namespace

int run_plan(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "scenario", po::value<std::string>(),
        "plan the scenario in this YAML file instead of a live namespace (no root needed)")(
        "json", "print JSON instead of text")(
        "no-tuck", "plan as snapd does: unmount, then mount, no replace");
    opts.add(target_options(kNsFileFlag | kPidFlag | kDesiredFlag | kCurrentFlag));
    auto vm = parse_named_command_line(args, opts);
    if (vm.count("help")) {
        std::cout << "usage: nsreconcile plan NAME [options]\n"
                     "       nsreconcile plan --scenario FILE [--json] [--no-tuck]\n\n"
                     "Prints the ordered changes that would bring the current profile to the\n"
                     "desired one, each checked against the mount table: a change already in\n"
                     "effect is marked (already done: REASON). With NAME it enters that live\n"
                     "namespace to read its mount table (root needed, no lock taken); with\n"
                     "--scenario it reads everything from the file. Changes nothing.\n\n"
                  << opts;
        return kExitOk;
    }
    const bool json = vm.count("json") > 0;
    const bool no_tuck = vm.count("no-tuck") > 0;
    if (vm.count("scenario")) {
        if (vm.count("name"))
            throw UsageError("plan takes either NAME or --scenario FILE, not both");
        return plan_scenario_file(vm["scenario"].as<std::string>(), json, no_tuck);
    }
    const Target target =
        resolve_target(vm, name_argument(vm, "plan needs a namespace NAME or --scenario FILE"));
    RunRequest req = request_for(target);
    req.dry_run = true;
    req.take_lock = false;
    req.json = json;
    req.tuck = !no_tuck;
    return reconcile_namespace(req, std::cout);
}

}  // namespace nsr::cmd
