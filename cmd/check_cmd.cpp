#include <unistd.h>

#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/json_text.hpp"
#include "cmd/options.hpp"
#include "cmd/render.hpp"
#include "cmd/target.hpp"
#include "cmd/text_report.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/drift.hpp"
#include "reconcile/journal_file.hpp"
#include "reconcile/pile.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int check_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")("json", "print JSON instead of text");
    const auto vm = parse_subcommand_line(
        args, opts, kNsFileFlag | kCurrentFlag, Positional::Name,
        {"usage: nsreconcile check NAME [--json] [options]\n",
         "Enters the namespace NAME read-only and compares its current profile\n"
         "with the live mount table, entry by entry: what is missing (-), what\n"
         "differs (~: something else is mounted there), and what is mounted at or\n"
         "below the profile's mount points without being in it (+: duplicates\n"
         "stacked on one mount point included). Exit 0 when in step (or there is\n"
         "no namespace), 1 when drifted, 2 on bad input.\n",
         {"# a monitoring job: repair what drifted",
          "nsreconcile check myapp || nsreconcile apply myapp"}});
    if (vm.count("help"))
        return kExitOk;
    const Target target = resolve_target(vm, name_argument(vm, "check needs a namespace NAME"));
    const bool json = vm.count("json") > 0;
    profile::MountProfile current;
    try {
        current = profile::load_profile(target.paths.current);
    } catch (const base::InputError& e) {
        throw base::InputError(std::string("cannot load current profile: ") + e.what());
    }
    if (!mntns::is_bound(target.paths.ns_file)) {
        if (json)
            std::cout << dump_json({{"namespace", nullptr}, {"in_step", true}});
        else
            std::cout << "no mount namespace at " << target.paths.ns_file << ": nothing to check\n";
        return kExitOk;
    }
    const auto journal_file = reconcile::StateJournalFile::open_beside(target.paths.current);
    // The command ends inside: there is no need to come back.
    mntns::enter(target.paths.ns_file);
    const reconcile::LiveFsView fs;
    const auto report = reconcile::drift(current, mountinfo::MountTable::from_self(), fs,
                                         reconcile::journal_extras(current, journal_file.get()),
                                         reconcile::pile_mount_point(target.paths.current));
    if (json) {
        auto j = drift_json(report);
        put_text(j, "namespace", target.name);
        std::cout << dump_json(j);
    } else {
        std::cout << drift_text(report, {.colour = colour_wanted(STDOUT_FILENO)});
    }
    return report.in_step() ? kExitOk : kExitFailed;
}

}  // namespace nsr::cmd
