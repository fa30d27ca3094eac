#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cmd/commands.hpp"
#include "cmd/help_text.hpp"
#include "cmd/options.hpp"
#include "profile/fstab.hpp"
#include "profile/validate.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int lint_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help");
    const auto vm = parse_subcommand_line(
        args, opts, std::nullopt, Positional::Files,
        {"usage: nsreconcile lint FILE...\n",
         "Checks mount profiles (snapd's fstab-like format, nsreconcile.fstab(5))\n"
         "and prints one line per problem, PATH:LINE: message. Exit 0 when every\n"
         "file is clean, 2 when any problem was found or a file cannot be read.\n",
         {"nsreconcile lint /var/lib/nsreconcile/profiles/*.fstab"}});
    if (vm.count("help"))
        return kExitOk;
    if (!vm.count("file"))
        throw UsageError("lint needs at least one FILE");

    bool clean = true;
    for (const auto& path : vm["file"].as<std::vector<std::string>>()) {
        std::ifstream in(path);
        if (!in) {
            std::cout << path << ": cannot read: " << std::strerror(errno) << "\n";
            clean = false;
            continue;
        }
        std::stringstream text;
        text << in.rdbuf();
        std::vector<profile::Problem> problems;
        auto parsed = profile::parse_profile(text.str(), path, &problems);
        auto semantic = profile::validate_profile(parsed);
        problems.insert(problems.end(), semantic.begin(), semantic.end());
        std::stable_sort(problems.begin(), problems.end(),
                         [](const auto& a, const auto& b) { return a.line < b.line; });
        for (const auto& p : problems)
            std::cout << path << ":" << p.line << ": " << p.message << "\n";
        clean = clean && problems.empty();
    }
    return clean ? kExitOk : kExitBadInput;
}

}  // namespace nsr::cmd
