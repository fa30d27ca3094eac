#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cmd/commands.hpp"
#include "cmd/help_text.hpp"
#include "cmd/layout.hpp"
#include "cmd/update_output.hpp"
#include "reconcile/system_context.hpp"
#include "reconcile/user_context.hpp"

namespace nsr::cmd {

namespace {

const HelpText kHelp = {
    "usage: nsreconcile snap-update-ns [--from-snap-confine] [--user-mounts]\n"
    "                                  [-u UID] NAME\n",
    "A drop-in for snapd's snap-update-ns, with snapd's paths: updates the\n"
    "preserved mount namespace of snap NAME (/run/snapd/ns/NAME.mnt) to\n"
    "/var/lib/snapd/mount/snap.NAME.fstab and records what was applied in\n"
    "/run/snapd/ns/snap.NAME.fstab. The binary behaves the same when it is\n"
    "invoked under the name snap-update-ns. SNAPD_DEBUG=1 logs each step.\n"
    "Errors print 'cannot update snap namespace: ...' on stdout, exit 1.\n"
    "\n"
    "options:\n"
    "  --from-snap-confine  snap-confine holds the lock and set up the namespace\n"
    "  --user-mounts        apply the per-user profile (snap.NAME.user-fstab) in\n"
    "                       the namespace the tool runs in\n"
    "  -u UID               the user of --user-mounts\n",
    {"SNAPD_DEBUG=1 nsreconcile snap-update-ns firefox"}};

// snapd's rule for uids: plain decimal, no sign, no spaces, no junk.
uid_t parse_uid(const std::string& v) {
    if (!v.empty() && v[0] == '-')
        throw std::runtime_error("user id cannot be negative");
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 10) {
        throw std::runtime_error("cannot parse user id");
    }
    return static_cast<uid_t>(std::stoul(v));
}

struct SunArgs {
    bool from_snap_confine = false;
    bool user_mounts = false;
    std::optional<uid_t> uid;
    std::string name;
};

SunArgs parse(const Args& args) {
    SunArgs a;
    std::vector<std::string> positional;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.empty() || arg[0] != '-') {
            positional.push_back(arg);
        } else if (arg == "--from-snap-confine") {
            a.from_snap_confine = true;
        } else if (arg == "--user-mounts") {
            a.user_mounts = true;
        } else if (arg == "-u") {
            if (i + 1 >= args.size())
                throw std::runtime_error("-u requires an argument");
            a.uid = parse_uid(args[++i]);
            a.user_mounts = true;
        } else {
            throw std::runtime_error("unsupported option: " + arg);
        }
    }
    if (positional.empty())
        throw std::runtime_error("snap name not provided");
    if (positional.size() > 1)
        throw std::runtime_error("too many positional arguments");
    a.name = positional.front();
    if (auto why = instance_name_problem(a.name); !why.empty())
        throw std::runtime_error(why);
    return a;
}

}  // namespace

int snap_update_ns_cmd(const Args& args) {
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") {
            print_help(std::cout, kHelp, nullptr);
            return kExitOk;
        }
    }
    // snapd's tool reports every failure as one line on stdout, exit 1.
    try {
        const SunArgs a = parse(args);
        UpdateRequest request;
        if (const char* d = std::getenv("SNAPD_DEBUG"); d && std::string(d) == "1") {
            request.options.debug = [](const std::string& s) {
                std::cerr << "DEBUG: " << s << "\n";
            };
        }
        std::unique_ptr<reconcile::UpdateContext> ctx;
        if (a.user_mounts) {
            // Per-user mounts act on the namespace the tool was started in,
            // as the real user; snapd keeps no state for them.
            const uid_t uid = a.uid ? *a.uid : ::getuid();
            const char* home = std::getenv("SNAP_REAL_HOME");
            ctx = std::make_unique<reconcile::SnapdUserContext>(
                user_paths_for(Layout::Snapd, a.name, uid),
                reconcile::UserDirs{uid, reconcile::user_group(uid), home ? home : ""});
        } else if (a.from_snap_confine) {
            ctx = std::make_unique<reconcile::SnapConfineContext>(
                a.name, paths_for(Layout::Snapd, a.name), reconcile::snapd_system_places(a.name));
        } else {
            ctx = std::make_unique<reconcile::SystemContext>(paths_for(Layout::Snapd, a.name),
                                                             reconcile::snapd_system_places(a.name),
                                                             -1, reconcile::ProfileChecks::Parse);
        }
        // The report is only shown with SNAPD_DEBUG=1; otherwise it is not
        // even built.
        std::ostringstream report;
        std::ostream discard(nullptr);
        // As in snapd, a change that fails without failing the run (a
        // content entry) is only logged: exit 0.
        print_applied_update(*ctx, request,
                             request.options.debug ? static_cast<std::ostream&>(report) : discard);
        if (request.options.debug)
            std::cerr << report.str();
        return kExitOk;
    } catch (const std::exception& e) {
        std::cout << "cannot update snap namespace: " << e.what() << "\n";
        return kExitFailed;
    }
}

}  // namespace nsr::cmd
