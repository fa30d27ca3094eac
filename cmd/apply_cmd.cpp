#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/options.hpp"
#include "cmd/target.hpp"
#include "cmd/update_output.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int apply_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")("dry-run", "plan and print, change nothing")(
        "json", "print JSON")("all", "list the unchanged entries too")(
        "no-tuck", "replace by unmounting first, as snapd does (leaves an empty window)")(
        "freeze-cgroup", po::value<std::vector<std::string>>()->composing(),
        "freeze the processes of this cgroup directory (v2 or v1 freezer) while changes are "
        "applied; repeat for several cgroups")(
        "user-mounts", "apply the per-user profile of user -u (default: the caller) instead")(
        "uid,u", po::value<long>(), "the user of --user-mounts");
    const auto vm = parse_subcommand_line(
        args, opts, kAllTargetFlags | kPidFlag, Positional::Name,
        {"usage: nsreconcile apply NAME [options]\n",
         "Enters the mount namespace NAME and brings it in step with the desired\n"
         "profile: every change is checked against the live mount table first, a\n"
         "replaced mount is attached beneath the old one, and the new current\n"
         "profile is written atomically. Prints one line a change (the markers of\n"
         "'nsreconcile plan', x for a failure) and a summary. Exit 0 when every\n"
         "change went through (or there is no namespace), 1 when a change failed,\n"
         "2 on bad input, 3 when the lock was not obtained in time.\n"
         "\n"
         "With --freeze-cgroup the application's processes are frozen right before\n"
         "the first change and thawed right after the last one (also on an error or\n"
         "SIGINT, SIGTERM, SIGHUP); a missing or unfreezable cgroup exits 2 before\n"
         "anything changes, a cgroup not frozen within 3 s exits 1. Settings come\n"
         "from the flags, else the configuration file, else built-in defaults.\n"
         "\n"
         "With --user-mounts the per-user profiles are used (native layout:\n"
         "NAME.user.fstab desired, NAME.UID.user.fstab current; snapd layout:\n"
         "snap.NAME.user-fstab) in the same namespace, under the same lock, with\n"
         "$XDG_RUNTIME_DIR expanded to /run/user/UID and $HOME in ensure-dir entries\n"
         "to $SNAP_REAL_HOME, as snapd's user mode does.\n"
         "\n"
         "With --pid PID the namespace is a container's (/proc/PID/ns/mnt): bind\n"
         "sources and overlay layers are host paths, taken before entering it.\n",
         {"nsreconcile apply myapp --lock-timeout 30 --freeze-cgroup \\",
          "    /sys/fs/cgroup/myapp.slice"}});
    if (vm.count("help"))
        return kExitOk;
    if (vm.count("uid") && !vm.count("user-mounts"))
        throw UsageError("-u needs --user-mounts");
    std::optional<uid_t> user;
    if (vm.count("user-mounts")) {
        const long uid = vm.count("uid") ? vm["uid"].as<long>() : static_cast<long>(::getuid());
        if (uid < 0)
            throw UsageError("the user id must not be negative");
        user = static_cast<uid_t>(uid);
    }
    const Target target =
        resolve_target(vm, name_argument(vm, "apply needs a namespace NAME"), user);
    const char* home = std::getenv("SNAP_REAL_HOME");
    const auto ctx = user ? user_context(target, *user, home ? home : "") : system_context(target);
    UpdateRequest request;
    request.json = vm.count("json") > 0;
    request.text = {.all = vm.count("all") > 0, .colour = colour_wanted(STDOUT_FILENO)};
    request.options.tuck = !vm.count("no-tuck");
    request.options.debug = debug_log(target.settings);
    if (vm.count("freeze-cgroup"))
        request.freeze_cgroups = vm["freeze-cgroup"].as<std::vector<std::string>>();
    return vm.count("dry-run") ? print_planned_update(*ctx, request, std::cout)
                               : print_applied_update(*ctx, request, std::cout);
}

}  // namespace nsr::cmd
