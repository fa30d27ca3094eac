#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "base/error.hpp"
#include "base/path.hpp"
#include "cmd/commands.hpp"
#include "cmd/ns_file.hpp"
#include "cmd/options.hpp"
#include "cmd/target.hpp"
#include "reconcile/journal_file.hpp"
#include "reconcile/lock.hpp"
#include "reconcile/pile.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int ns_discard_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help");
    const auto vm = parse_subcommand_line(
        args, opts, kNsFileFlag | kCurrentFlag | kLockFlags, Positional::Name,
        {"usage: nsreconcile ns discard NAME [options]\n",
         "Under the lock, unmounts and removes the namespace file of NAME and\n"
         "removes its current profile and journal. The namespace itself goes away\n"
         "when its last process exits. Exit 0 (also when there was nothing to\n"
         "discard), 1 when a file could not be removed, 3 on lock timeout.\n",
         {"nsreconcile ns discard myapp"}});
    if (vm.count("help"))
        return kExitOk;
    const Target target =
        resolve_target(vm, name_argument(vm, "ns discard needs a namespace NAME"));
    const base::Fd lock = reconcile::take_lock(target.paths.lock, target.settings.lock_timeout);
    const bool had_ns = discard_namespace_file(target.paths.ns_file);
    const bool had_profile = ::unlink(target.paths.current.c_str()) == 0;
    if (!had_profile && errno != ENOENT)
        base::throw_errno(-errno, "cannot remove " + target.paths.current);
    // The journal speaks of the namespace gone (a new one would not take
    // it for its own anyway: it names the namespace).
    const std::string journal = base::parent_dir(target.paths.current) + "/" +
                                reconcile::journal_name(target.paths.current);
    if (::unlink(journal.c_str()) != 0 && errno != ENOENT)
        base::throw_errno(-errno, "cannot remove " + journal);
    // The mount point of a pile a killed run left (reconcile/pile.hpp); the
    // pile itself went with the namespace.
    const std::string pile = reconcile::pile_mount_point(target.paths.current);
    if (::rmdir(pile.c_str()) != 0 && errno != ENOENT)
        base::throw_errno(-errno, "cannot remove " + pile);
    if (had_ns || had_profile) {
        std::cout << "discarded namespace " << target.name << "\n";
    } else {
        std::cout << "no namespace " << target.name << ": nothing to discard\n";
    }
    return kExitOk;
}

}  // namespace nsr::cmd
