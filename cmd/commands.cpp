#include "cmd/commands.hpp"

#include <exception>
#include <iostream>

#include "cmd/help_text.hpp"

namespace nsr::cmd {

namespace {

int print_usage(std::ostream& out) {
    std::string about =
        "Keeps a running application's mount namespace in step with a declared\n"
        "mount profile (snapd-compatible).\n"
        "\n"
        "commands:\n";
    for (const auto& s : subcommands()) {
        about += "  " + std::string(s.name);
        about.append(s.name.size() < 16 ? 16 - s.name.size() : 1, ' ');
        about += std::string(s.summary) + "\n";
    }
    about +=
        "\n'nsreconcile COMMAND --help' describes a command and its options;\n"
        "nsreconcile(8) is the manual.\n";
    print_help(out,
               {"usage: nsreconcile [--help] [--version] COMMAND [ARGS...]\n",
                about,
                {"# what would change, then change it", "nsreconcile plan myapp",
                 "nsreconcile apply myapp"}},
               nullptr);
    return kExitOk;
}

}  // namespace

const std::vector<Subcommand>& subcommands() {
    static const std::vector<Subcommand> all = {
        {"lint", "check profile files, one PATH:LINE: message a problem", lint_cmd},
        {"plan", "print what apply would change (changes nothing)", plan_cmd},
        {"apply", "bring a namespace in step with its desired profile", apply_cmd},
        {"check", "compare a namespace with its current profile (1: drift)", check_cmd},
        {"ns", "create, run in, discard and list persistent namespaces", ns_cmd},
        {"convert", "print the profile for the mounts of an OCI runtime spec", convert_cmd},
        {"features", "probe the kernel for the features nsreconcile can use", features_cmd},
        {"snap-update-ns", "drop-in for snapd's snap-update-ns (snapd's paths)",
         snap_update_ns_cmd},
    };
    return all;
}

int nsreconcile_main(const std::string& argv0, const Args& args) {
    const std::string base = argv0.substr(argv0.rfind('/') + 1);
    if (base == "snap-update-ns")
        return snap_update_ns_cmd(args);
    try {
        if (args.empty()) {
            print_usage(std::cerr);
            return kExitBadInput;
        }
        const std::string& first = args.front();
        if (first == "--help" || first == "-h" || first == "help")
            return print_usage(std::cout);
        if (first == "--version") {
            std::cout << "nsreconcile " << NSR_VERSION << "\n";
            return kExitOk;
        }
        for (const auto& s : subcommands()) {
            if (s.name == first)
                return s.main(Args(args.begin() + 1, args.end()));
        }
        throw UsageError("unknown command '" + first + "'");
    } catch (const UsageError& e) {
        std::cerr << "nsreconcile: " << e.what() << " (see 'nsreconcile --help')\n";
        return exit_code_for(e);
    } catch (const std::exception& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
        return exit_code_for(e);
    }
}

}  // namespace nsr::cmd
