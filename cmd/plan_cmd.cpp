#include <unistd.h>

#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/golden.hpp"
#include "cmd/json_text.hpp"
#include "cmd/options.hpp"
#include "cmd/render.hpp"
#include "cmd/scenario.hpp"
#include "cmd/target.hpp"
#include "cmd/text_report.hpp"
#include "cmd/update_output.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

int plan_scenario_file(const std::string& path, bool json, bool no_tuck, const TextStyle& style,
                       bool debug) {
    const Scenario s = load_scenario(path);
    const auto changes = plan_scenario(s, s.tuck && !no_tuck);
    if (debug) {
        for (const auto& line : reason_lines(changes))
            std::cerr << "debug: " << line << "\n";
    }
    std::cout << (json ? dump_json(plan_json(changes))
                       : plan_text(changes, s.table.has_value(), style));
    return kExitOk;
}

// A scenario names no namespace and reads no configuration file, so only
// the flags set the log level.
bool scenario_debug(const po::variables_map& vm) {
    if (vm.count("debug"))
        return true;
    if (!vm.count("log-level"))
        return false;
    try {
        return log_level_from_name(vm["log-level"].as<std::string>()) == LogLevel::Debug;
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
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
        "json", "print JSON instead of text")("all", "list the unchanged entries too")(
        "no-tuck", "plan as snapd does: unmount, then mount, no replace");
    const auto vm = parse_subcommand_line(
        args, opts, kNsFileFlag | kPidFlag | kDesiredFlag | kCurrentFlag, Positional::Name,
        {"usage: nsreconcile plan NAME [options]\n"
         "       nsreconcile plan --scenario FILE [--json] [--all] [--no-tuck]\n"
         "       nsreconcile plan --scenario FILE... --check | --update\n",
         "Prints the ordered changes that would bring the current profile to the\n"
         "desired one, each checked against the mount table, one line a change:\n"
         "+ mount, - unmount, ~ replace, ! mount again a missing entry; unchanged\n"
         "entries are counted (listed with --all). Why each change is or is not\n"
         "needed is in --json and in the debug log (-v). With NAME it enters that\n"
         "live namespace to read its mount table (root needed, no lock taken);\n"
         "with --scenario it reads everything from the file. Changes nothing.\n"
         "Exit 0, or 2 on bad input.\n"
         "\n"
         "--check compares each scenario's plan with the plan its expected: block\n"
         "pins: exit 0 when all agree, 1 with a change-by-change diff for each\n"
         "that differs, 2 for a file that cannot be read. --update rewrites the\n"
         "expected: blocks instead, leaving every other byte of the files alone.\n",
         {"# what a new profile would do, before it is installed",
          "nsreconcile plan myapp --desired /tmp/myapp.fstab",
          "# the pinned plans of a package's profiles still hold",
          "nsreconcile plan --scenario tests/plans/*.yaml --check"}});
    if (vm.count("help"))
        return kExitOk;
    const bool json = vm.count("json") > 0;
    const bool no_tuck = vm.count("no-tuck") > 0;
    const TextStyle style{.all = vm.count("all") > 0, .colour = colour_wanted(STDOUT_FILENO)};
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
        return plan_scenario_file(files.front(), json, no_tuck, style, scenario_debug(vm));
    }
    if (check || update)
        throw UsageError("--check and --update go with --scenario");
    const Target target =
        resolve_target(vm, name_argument(vm, "plan needs a namespace NAME or --scenario FILE"));
    UpdateRequest request;
    request.json = json;
    request.text = style;
    request.options.tuck = !no_tuck;
    request.options.debug = debug_log(target.settings);
    return print_planned_update(*plan_only_context(target), request, std::cout);
}

}  // namespace nsr::cmd
