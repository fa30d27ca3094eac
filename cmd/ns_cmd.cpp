#include <iostream>
#include <string>

#include "cmd/help_text.hpp"

#include "cmd/subcommands.hpp"

namespace nsr::cmd {

namespace {

struct NsSubcommand {
    std::string_view name;
    std::string_view usage;
    int (*run)(const Args& args);
};

const NsSubcommand kNsSubcommands[] = {
    {"create", "create NAME [--propagation slave|private] [--apply]", run_ns_create},
    {"run", "run NAME [--uid UID] [--gid GID] -- CMD [ARGS...]", run_ns_run},
    {"discard", "discard NAME", run_ns_discard},
    {"list", "list [--json]", run_ns_list},
};

int print_ns_usage(std::ostream& out) {
    std::string about = "Persistent mount namespaces, kept alive by a namespace file:\n";
    for (const auto& s : kNsSubcommands)
        about += "  nsreconcile ns " + std::string(s.usage) + "\n";
    about += "\n'nsreconcile ns COMMAND --help' describes a command and its options.\n";
    print_help(out,
               {"usage: nsreconcile ns COMMAND [ARGS...]\n",
                about,
                {"nsreconcile ns create myapp --apply && nsreconcile ns list"}},
               nullptr);
    return kExitOk;
}

}  // namespace

int run_ns(const Args& args) {
    if (args.empty()) {
        print_ns_usage(std::cerr);
        return kExitBadInput;
    }
    if (args.front() == "--help" || args.front() == "-h")
        return print_ns_usage(std::cout);
    for (const auto& s : kNsSubcommands) {
        if (s.name == args.front())
            return s.run(Args(args.begin() + 1, args.end()));
    }
    throw UsageError("unknown ns command '" + args.front() + "'");
}

}  // namespace nsr::cmd
