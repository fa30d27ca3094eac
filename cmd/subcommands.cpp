#include "cmd/subcommands.hpp"

#include <exception>
#include <iostream>

#include "cmd/lock.hpp"
#include "cmd/run.hpp"

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
        {"lint", "check profile files for errors, print PATH:LINE: message", run_lint},
        {"plan", "print the changes that would reconcile a namespace (changes nothing)", run_plan},
        {"apply", "bring a live mount namespace in step with its desired profile", run_apply},
        {"check", "compare a live namespace with its current profile (exit 1 on drift)", run_check},
        {"ns", "create, run in, discard and list persistent namespaces", run_ns},
        {"convert", "print the profile for the mounts of an OCI runtime spec", run_convert},
        {"snap-update-ns", "drop-in for snapd's snap-update-ns (snapd's paths and flags)",
         run_snap_update_ns},
    };
    return all;
}

int run_main(const std::string& argv0, const Args& args) {
    const std::string base = argv0.substr(argv0.rfind('/') + 1);
    if (base == "snap-update-ns")
        return run_snap_update_ns(args);
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
                return s.run(Args(args.begin() + 1, args.end()));
        }
        throw UsageError("unknown command '" + first + "'");
    } catch (const UsageError& e) {
        std::cerr << "nsreconcile: " << e.what() << " (see 'nsreconcile --help')\n";
        return kExitBadInput;
    } catch (const RunError& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
        return e.exit_code;
    } catch (const LockTimeout& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
        return kExitLocked;
    } catch (const std::exception& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
        return kExitFailed;
    }
}

}  // namespace nsr::cmd
