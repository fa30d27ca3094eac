#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/golden.hpp"
#include "cmd/options.hpp"
#include "cmd/render.hpp"
#include "cmd/scenario.hpp"
#include "cmd/target.hpp"
#include "cmd/update_output.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

int plan_scenario_file(const std::string& path, bool json, bool no_tuck) {
    const Scenario s = load_scenario(path);
    const auto changes = plan_scenario(s, s.tuck && !no_tuck);
    std::cout << (json ? plan_json(changes).dump(2) + "\n" : plan_text(changes));
    return kExitOk;
}

}  // namespace

int plan_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "scenario", po::value<std::vector<std::string>>()->composing(),
        "plan the scenario in this YAML file instead of a live namespace (no root needed); "
        "repeat with --check or --update for several files")(
        "check", "compare each scenario's plan with its expected: block (exit 1 with a diff)")(
        "update", "rewrite each scenario's expected: block with its plan")(
        "json", "print JSON instead of text")(
        "no-tuck", "plan as snapd does: unmount, then mount, no replace");
    const auto vm = parse_subcommand_line(
        args, opts, kNsFileFlag | kDesiredFlag | kCurrentFlag, true,
        "usage: nsreconcile plan NAME [options]\n"
        "       nsreconcile plan --scenario FILE [--json] [--no-tuck]\n"
        "       nsreconcile plan --scenario FILE... --check | --update\n\n"
        "Prints the ordered changes that would bring the current profile to the\n"
        "desired one, each checked against the mount table: a change already in\n"
        "effect is marked (already done: REASON). With NAME it enters that live\n"
        "namespace to read its mount table (root needed, no lock taken); with\n"
        "--scenario it reads everything from the file. Changes nothing.\n\n"
        "--check compares each scenario's plan with the plan its expected: block\n"
        "pins: exit 0 when all agree, 1 with a change-by-change diff for each that\n"
        "differs, 2 for a file that cannot be read. --update rewrites the\n"
        "expected: blocks instead, leaving every other byte of the files alone.\n\n");
    if (vm.count("help"))
        return kExitOk;
    const bool json = vm.count("json") > 0;
    const bool no_tuck = vm.count("no-tuck") > 0;
    const bool check = vm.count("check") > 0, update = vm.count("update") > 0;
    if (vm.count("scenario")) {
        if (vm.count("name"))
            throw UsageError("plan takes either NAME or --scenario FILE, not both");
        const auto files = vm["scenario"].as<std::vector<std::string>>();
        if (check && update)
            throw UsageError("--check and --update exclude each other");
        if ((check || update) && (json || no_tuck))
            throw UsageError("--check and --update take neither --json nor --no-tuck");
        if (check)
            return check_scenarios(files, std::cout);
        if (update)
            return update_scenarios(files, std::cout);
        if (files.size() > 1)
            throw UsageError("plan --scenario takes one FILE (several with --check or --update)");
        return plan_scenario_file(files.front(), json, no_tuck);
    }
    if (check || update)
        throw UsageError("--check and --update go with --scenario");
    const Target target =
        resolve_target(vm, name_argument(vm, "plan needs a namespace NAME or --scenario FILE"));
    UpdateRequest request;
    request.json = json;
    request.options.tuck = !no_tuck;
    request.options.debug = debug_log(target.settings);
    return print_planned_update(*plan_only_context(target), request, std::cout);
}

}  // namespace nsr::cmd
