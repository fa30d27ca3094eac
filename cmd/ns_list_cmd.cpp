#include <dirent.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.hpp"
#include "base/path.hpp"
#include "cmd/commands.hpp"
#include "cmd/json_text.hpp"
#include "cmd/options.hpp"
#include "cmd/target.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/drift.hpp"
#include "reconcile/journal_file.hpp"
#include "reconcile/pile.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

// The names whose file in the layout matches TEMPLATE, a path whose last
// component holds the {name} placeholder.
void names_matching(const std::string& templ, std::set<std::string>& names) {
    const std::string dir = base::parent_dir(templ);
    const std::string file = templ.substr(templ.rfind('/') + 1);
    const size_t at = file.find(kNamePlaceholder);
    if (at == std::string::npos)
        return;
    const std::string prefix = file.substr(0, at);
    const std::string suffix = file.substr(at + kNamePlaceholder.size());
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT)
            return;
        base::throw_errno(-errno, "cannot list " + dir);
    }
    while (const dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() <= prefix.size() + suffix.size() || !n.starts_with(prefix) ||
            !n.ends_with(suffix)) {
            continue;
        }
        names.insert(n.substr(prefix.size(), n.size() - prefix.size() - suffix.size()));
    }
    ::closedir(d);
}

// Per-user profiles share the directory: NAME.UID.user.fstab and the like.
bool looks_per_user(const std::string& name) {
    const auto user = name.rfind(".user");
    if (user == std::string::npos || user + 5 != name.size())
        return false;
    const auto dot = name.rfind('.', user - 1);
    return dot != std::string::npos && dot + 1 < user &&
           name.find_first_not_of("0123456789", dot + 1) == user;
}

// What the list says of one namespace.
struct Row {
    bool alive = false;           // the namespace file holds a mount namespace
    size_t entries = 0;           // in the current profile
    std::optional<bool> in_step;  // only when alive
    std::optional<std::string> error;
};

// Reads the current profile on the host side, then judges it against the
// namespace's live mount table from a child that enters the namespace, so
// that the command stays where it is for the next one.
Row inspect(const reconcile::NamespacePaths& paths) {
    Row row;
    try {
        const profile::MountProfile current = profile::load_profile(paths.current);
        row.entries = current.entries.size();
        row.alive = mntns::is_bound(paths.ns_file);
        if (row.alive) {
            const auto journal_file = reconcile::StateJournalFile::open_beside(paths.current);
            row.in_step =
                mntns::run_in(paths.ns_file, [&] {
                    const reconcile::LiveFsView fs;
                    const auto table = mountinfo::MountTable::from_self();
                    const auto extras = reconcile::journal_extras(current, journal_file.get());
                    const auto pile = reconcile::pile_mount_point(paths.current);
                    return reconcile::drift(current, table, fs, extras, pile).in_step() ? "1" : "0";
                }) == "1";
        }
    } catch (const std::exception& e) {
        Row failed;
        failed.error = e.what();
        return failed;
    }
    return row;
}

}  // namespace

int ns_list_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")("json", "print JSON instead of text")(
        "names", "print only the names, one a line, checking nothing (no root needed)");
    const auto vm = parse_subcommand_line(
        args, opts, 0, Positional::None,
        {"usage: nsreconcile ns list [--json | --names] [options]\n",
         "Lists each namespace the layout knows of (a namespace file or a current\n"
         "profile): whether it is alive, the entries of its current profile, and\n"
         "whether it has drifted from it (as 'nsreconcile check' judges). Exit 0,\n"
         "or 1 when a namespace could not be checked. --names is what shell\n"
         "completion asks: it enters no namespace and needs no root.\n",
         {"nsreconcile ns list --layout snapd"}});
    if (vm.count("help"))
        return kExitOk;
    const reconcile::NamespacePaths templates = configured_templates(resolve_settings(vm));
    std::set<std::string> names;
    names_matching(templates.ns_file, names);
    std::set<std::string> from_profiles;
    names_matching(templates.current, from_profiles);
    for (const auto& n : from_profiles) {
        if (!looks_per_user(n))
            names.insert(n);
    }
    if (vm.count("names")) {
        for (const auto& name : names)
            std::cout << name << "\n";
        return kExitOk;
    }
    auto list = nlohmann::json::array();
    std::string text = "NAME                 ALIVE  ENTRIES  STATE\n";
    int status = kExitOk;
    for (const auto& name : names) {
        const Target t = resolve_target(vm, name);
        const Row row = inspect(t.paths);
        const std::string state = row.error      ? "error: " + *row.error
                                  : !row.in_step ? "-"
                                  : *row.in_step ? "in step"
                                                 : "drifted";
        if (row.error)
            status = kExitFailed;
        nlohmann::json j;
        put_text(j, "name", name);
        put_text(j, "ns_file", t.paths.ns_file);
        j["alive"] = row.alive;
        j["entries"] = row.entries;
        j["in_step"] = row.in_step ? nlohmann::json(*row.in_step) : nlohmann::json(nullptr);
        if (row.error)
            put_text(j, "error", *row.error);
        list.push_back(std::move(j));
        std::string line = name;
        line.append(name.size() < 21 ? 21 - name.size() : 1, ' ');
        line += row.alive ? "yes    " : "no     ";
        const std::string n = std::to_string(row.entries);
        line += n + std::string(n.size() < 9 ? 9 - n.size() : 1, ' ') + state + "\n";
        text += line;
    }
    if (vm.count("json"))
        std::cout << dump_json({{"namespaces", list}});
    else
        std::cout << text;
    return status;
}

}  // namespace nsr::cmd
