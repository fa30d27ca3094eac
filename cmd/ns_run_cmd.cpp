#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <system_error>

#include "base/error.hpp"
#include "cmd/commands.hpp"
#include "cmd/options.hpp"
#include "cmd/target.hpp"
#include "mntns/namespace.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

// Supplementary groups first (they need the privilege that setuid drops),
// then the group, then the user.
void drop_privileges(uid_t uid, gid_t gid) {
    const passwd* pw = ::getpwuid(uid);
    if (pw ? ::initgroups(pw->pw_name, gid) != 0 : ::setgroups(0, nullptr) != 0)
        base::throw_errno(-errno, "cannot set the supplementary groups");
    if (::setgid(gid) != 0)
        base::throw_errno(-errno, "cannot switch to group " + std::to_string(gid));
    if (::setuid(uid) != 0)
        base::throw_errno(-errno, "cannot switch to user " + std::to_string(uid));
}

}  // namespace

int ns_run_cmd(const Args& args) {
    auto dashes = std::find(args.begin(), args.end(), std::string("--"));
    const Args own(args.begin(), dashes);
    const Args command(dashes == args.end() ? dashes : dashes + 1, args.end());

    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")("uid", po::value<long>(), "run as this user id")(
        "gid", po::value<long>(), "run as this group id (default: the user's primary group)");
    const auto vm = parse_subcommand_line(
        own, opts, kNsFileFlag, Positional::Name,
        {"usage: nsreconcile ns run NAME [--uid UID] [--gid GID] -- CMD [ARGS...]\n",
         "Runs CMD inside the mount namespace NAME, as UID:GID when given (the\n"
         "supplementary groups become the user's, or none for an unknown user).\n"
         "The working directory is kept when it exists inside, else it is /. The\n"
         "exit status is CMD's; 126 or 127 when CMD cannot be run, 1 when the\n"
         "namespace cannot be entered.\n",
         {"nsreconcile ns run myapp --uid 1000 -- ls /snap/myapp/current/data"}});
    if (vm.count("help"))
        return kExitOk;
    const Target target = resolve_target(vm, name_argument(vm, "ns run needs a namespace NAME"));
    if (command.empty())
        throw UsageError("ns run needs a command after --");
    if (vm.count("gid") && !vm.count("uid"))
        throw UsageError("--gid needs --uid");
    std::optional<std::pair<uid_t, gid_t>> ids;
    if (vm.count("uid")) {
        const long uid = vm["uid"].as<long>();
        if (uid < 0)
            throw UsageError("--uid must not be negative");
        long gid = -1;
        if (vm.count("gid")) {
            gid = vm["gid"].as<long>();
        } else if (const passwd* pw = ::getpwuid(static_cast<uid_t>(uid))) {
            gid = pw->pw_gid;
        }
        if (gid < 0)
            throw UsageError("user " + std::to_string(uid) + " is unknown: give --gid");
        ids = {static_cast<uid_t>(uid), static_cast<gid_t>(gid)};
    }

    char cwd[4096];
    const bool have_cwd = ::getcwd(cwd, sizeof cwd) != nullptr;
    if (!mntns::is_bound(target.paths.ns_file)) {
        std::cerr << "nsreconcile: no mount namespace at " << target.paths.ns_file << "\n";
        return kExitFailed;
    }
    mntns::enter(target.paths.ns_file);
    if (!have_cwd || ::chdir(cwd) != 0) {
        if (::chdir("/") != 0)
            base::throw_errno(-errno, "cannot change directory to /");
    }
    if (ids)
        drop_privileges(ids->first, ids->second);
    std::vector<char*> argv;
    for (const auto& a : command)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    const int err = errno;
    std::cerr << "nsreconcile: cannot run " << command.front() << ": " << std::strerror(err)
              << "\n";
    return err == ENOENT ? 127 : 126;
}

}  // namespace nsr::cmd
