#include <unistd.h>

#include <iostream>

#include "cmd/help_text.hpp"
#include "cmd/options.hpp"
#include "cmd/render.hpp"
#include "cmd/run.hpp"
#include "cmd/scenario.hpp"
#include "cmd/subcommands.hpp"
#include "cmd/target.hpp"
#include "cmd/text_report.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

int plan_scenario_file(const std::string& path, bool json, bool no_tuck, const TextStyle& style,
                       bool debug) {
    Scenario s;
    try {
        s = load_scenario(path);
    } catch (const std::exception& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
        return kExitBadInput;
    }
    auto changes = plan_scenario(s, s.tuck && !no_tuck);
    if (debug) {
        for (const auto& line : reason_lines(changes))
            std::cerr << "debug: " << line << "\n";
    }
    std::cout << (json ? plan_json(changes).dump(2) + "\n"
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

int run_plan(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "scenario", po::value<std::string>(),
        "plan the scenario in this YAML file instead of a live namespace (no root needed)")(
        "json", "print JSON instead of text")("all", "list the unchanged entries too")(
        "no-tuck", "plan as snapd does: unmount, then mount, no replace");
    opts.add(target_options(kNsFileFlag | kPidFlag | kDesiredFlag | kCurrentFlag));
    auto vm = parse_named_command_line(args, opts);
    if (vm.count("help")) {
        print_help(std::cout,
                   {"usage: nsreconcile plan NAME [options]\n"
                    "       nsreconcile plan --scenario FILE [--json] [--all] [--no-tuck]\n",
                    "Prints the ordered changes that would bring the current profile to the\n"
                    "desired one, each checked against the mount table, one line a change:\n"
                    "+ mount, - unmount, ~ replace, ! mount again a missing entry; unchanged\n"
                    "entries are counted (listed with --all). Why each change is or is not\n"
                    "needed is in --json and in the debug log (-v). With NAME it enters that\n"
                    "live namespace to read its mount table (root needed, no lock taken);\n"
                    "with --scenario it reads everything from the file. Changes nothing.\n"
                    "Exit 0, or 2 on bad input.\n",
                    {"# what a new profile would do, before it is installed",
                     "nsreconcile plan myapp --desired /tmp/myapp.fstab"}},
                   &opts);
        return kExitOk;
    }
    const bool json = vm.count("json") > 0;
    const bool no_tuck = vm.count("no-tuck") > 0;
    const TextStyle style{.all = vm.count("all") > 0, .colour = colour_wanted(STDOUT_FILENO)};
    if (vm.count("scenario")) {
        if (vm.count("name"))
            throw UsageError("plan takes either NAME or --scenario FILE, not both");
        return plan_scenario_file(vm["scenario"].as<std::string>(), json, no_tuck, style,
                                  scenario_debug(vm));
    }
    const Target target =
        resolve_target(vm, name_argument(vm, "plan needs a namespace NAME or --scenario FILE"));
    RunRequest req = request_for(target);
    req.dry_run = true;
    req.take_lock = false;
    req.json = json;
    req.text = style;
    req.tuck = !no_tuck;
    return reconcile_namespace(req, std::cout);
}

}  // namespace nsr::cmd
