#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <system_error>

#include <boost/program_options.hpp>

#include "base/file.hpp"
#include "cmd/commands.hpp"
#include "cmd/help_text.hpp"
#include "cmd/options.hpp"
#include "profile/fstab.hpp"
#include "profile/validate.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

// Why a profile could not be read, as base::read_file reports it.
std::string read_failure(int err) {
    switch (err) {
        case EISDIR:
            return "it is a directory";
        case EINVAL:
            return "not a regular file";
        case EFBIG:
            return "larger than " + std::to_string(profile::kMaxProfileBytes >> 20) + " MiB";
        default:
            return std::strerror(err);
    }
}

}  // namespace

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
        // Bounded, and only a regular file: a directory or a device such as
        // /dev/zero is a problem, never an endless read.
        std::string text;
        try {
            text = base::read_file(path, profile::kMaxProfileBytes);
        } catch (const std::system_error& e) {
            std::cout << path << ": cannot read: " << read_failure(e.code().value()) << "\n";
            clean = false;
            continue;
        }
        std::vector<profile::Problem> problems;
        auto parsed = profile::parse_profile(text, path, &problems);
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
