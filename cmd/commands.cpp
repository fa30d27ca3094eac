#include "cmd/commands.hpp"

#include <exception>
#include <iostream>

namespace nsr::cmd {

namespace {

int print_usage(std::ostream& out) {
    out << "usage: nsreconcile [--help] [--version] COMMAND [ARGS...]\n"
           "\n"
           "Keeps a running application's mount namespace in step with a declared\n"
           "mount profile (snapd-compatible).\n"
           "\n"
           "commands:\n";
    for (const auto& s : subcommands()) {
        out << "  " << s.name;
        for (size_t i = s.name.size(); i < 16; ++i)
            out << ' ';
        out << s.summary << "\n";
    }
    out << "\n'nsreconcile COMMAND --help' describes a command and its options.\n";
    return kExitOk;
}

}  // namespace

const std::vector<Subcommand>& subcommands() {
    static const std::vector<Subcommand> all = {
        {"lint", "check profile files for errors, print PATH:LINE: message", lint_cmd},
        {"plan", "print the changes that would reconcile a namespace (changes nothing)", plan_cmd},
        {"apply", "bring a live mount namespace in step with its desired profile", apply_cmd},
        {"check", "compare a live namespace with its current profile (exit 1 on drift)", check_cmd},
        {"ns", "create, run in, discard and list persistent namespaces", ns_cmd},
        {"snap-update-ns", "drop-in for snapd's snap-update-ns (snapd's paths and flags)",
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
