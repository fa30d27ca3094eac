#include <dirent.h>

#include <iostream>
#include <set>

#include "base/path.hpp"
#include "cmd/help_text.hpp"
#include "cmd/inspect.hpp"
#include "cmd/options.hpp"
#include "cmd/subcommands.hpp"
#include "cmd/target.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

// Names whose file in the layout matches TEMPLATE, a path whose last
// component holds kPlaceholder where the name goes.
constexpr char kPlaceholder[] = "@";

void names_matching(const std::string& templ, std::set<std::string>& names) {
    const std::string dir = base::parent_dir(templ);
    const std::string base = templ.substr(templ.rfind('/') + 1);
    const size_t at = base.find(kPlaceholder);
    const std::string prefix = base.substr(0, at), suffix = base.substr(at + 1);
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT)
            return;
        throw std::system_error(errno, std::generic_category(), "cannot list " + dir);
    }
    while (const dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() <= prefix.size() + suffix.size() || n.rfind(prefix, 0) != 0 ||
            n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0) {
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

}  // namespace

int run_ns_list(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")("json", "print JSON instead of text")(
        "names", "print only the names, one a line, checking nothing (no root needed)");
    opts.add(target_options(0));
    auto vm = parse_command_line(args, opts);
    if (vm.count("help")) {
        print_help(std::cout,
                   {"usage: nsreconcile ns list [--json | --names] [options]\n",
                    "Lists each namespace the layout knows of (a namespace file or a current\n"
                    "profile): whether it is alive, the entries of its current profile, and\n"
                    "whether it has drifted from it (as 'nsreconcile check' judges). Exit 0,\n"
                    "or 1 when a namespace could not be checked. --names is what shell\n"
                    "completion asks: it enters no namespace and needs no root.\n",
                    {"nsreconcile ns list --layout snapd"}},
                   &opts);
        return kExitOk;
    }
    const Target templ = resolve_target(vm, kPlaceholder);
    std::set<std::string> names;
    names_matching(templ.paths.ns_file, names);
    std::set<std::string> from_profiles;
    names_matching(templ.paths.current, from_profiles);
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
        NamespaceState s;
        std::string state;
        try {
            s = inspect_namespace(t.paths);
            state = !s.drift ? "-" : s.drift->in_step() ? "in step" : "drifted";
        } catch (const std::exception& e) {
            state = std::string("error: ") + e.what();
            status = kExitFailed;
        }
        nlohmann::json j = {{"name", name},
                            {"ns_file", t.paths.ns_file},
                            {"alive", s.alive},
                            {"entries", s.entries}};
        j["in_step"] = s.drift ? nlohmann::json(s.drift->in_step()) : nlohmann::json(nullptr);
        if (state.rfind("error: ", 0) == 0)
            j["error"] = state.substr(7);
        list.push_back(std::move(j));
        std::string row = name;
        row.append(name.size() < 21 ? 21 - name.size() : 1, ' ');
        row += s.alive ? "yes    " : "no     ";
        std::string n = std::to_string(s.entries);
        row += n + std::string(n.size() < 9 ? 9 - n.size() : 1, ' ') + state + "\n";
        text += row;
    }
    if (vm.count("json"))
        std::cout << nlohmann::json{{"namespaces", list}}.dump(2) << "\n";
    else
        std::cout << text;
    return status;
}

}  // namespace nsr::cmd
