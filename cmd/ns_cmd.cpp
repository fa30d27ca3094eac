#include <iostream>
#include <string>

#include "cmd/commands.hpp"
#include "cmd/help_text.hpp"

namespace nsr::cmd {

namespace {

// Each with its usage line as the summary.
const Subcommand kNsSubcommands[] = {
    {"create", "create NAME [--propagation slave|private] [--apply]", ns_create_cmd},
    {"run", "run NAME [--uid UID] [--gid GID] -- CMD [ARGS...]", ns_run_cmd},
    {"discard", "discard NAME", ns_discard_cmd},
    {"list", "list [--json]", ns_list_cmd},
};

int print_ns_usage(std::ostream& out) {
    std::string about = "Persistent mount namespaces, kept alive by a namespace file:\n";
    for (const auto& s : kNsSubcommands)
        about += "  nsreconcile ns " + std::string(s.summary) + "\n";
    about += "\n'nsreconcile ns COMMAND --help' describes a command and its options.\n";
    print_help(out,
               {"usage: nsreconcile ns COMMAND [ARGS...]\n",
                about,
                {"nsreconcile ns create myapp --apply && nsreconcile ns list"}},
               nullptr);
    return kExitOk;
}

}  // namespace

int ns_cmd(const Args& args) {
    if (args.empty()) {
        print_ns_usage(std::cerr);
        return kExitBadInput;
    }
    if (args.front() == "--help" || args.front() == "-h")
        return print_ns_usage(std::cout);
    for (const auto& s : kNsSubcommands) {
        if (s.name == args.front())
            return s.main(Args(args.begin() + 1, args.end()));
    }
    throw UsageError("unknown ns command '" + args.front() + "'");
}

}  // namespace nsr::cmd
