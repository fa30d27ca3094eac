#include <iostream>
#include <nlohmann/json.hpp>

#include "cmd/commands.hpp"
#include "cmd/help_text.hpp"
#include "cmd/json_text.hpp"
#include "cmd/kernel_features.hpp"
#include "cmd/options.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

namespace {

// TEXT wrapped at 78 columns, each line indented by INDENT.
std::string wrapped(const std::string& text, const std::string& indent) {
    constexpr size_t kWidth = 78;
    std::string out, line = indent;
    size_t from = 0;
    while (from < text.size()) {
        size_t end = text.find(' ', from);
        if (end == std::string::npos)
            end = text.size();
        const std::string word = text.substr(from, end - from);
        if (line.size() > indent.size() && line.size() + 1 + word.size() > kWidth) {
            out += line + "\n";
            line = indent;
        }
        line += (line.size() > indent.size() ? " " : "") + word;
        from = end + 1;
    }
    return out + line + "\n";
}

std::string availability(const KernelFeature& f) {
    std::string s(state_name(f.state));
    return f.detail.empty() ? s : s + " (" + f.detail + ")";
}

std::string features_text(const std::string& release, const std::vector<KernelFeature>& all) {
    std::string out = "kernel: Linux " + release + "\n";
    for (const auto& f : all) {
        out += "\n" + wrapped(f.title + ": " + availability(f), "");
        out += wrapped((f.used ? "Used for " : "Not used by this version; would be used for ") +
                           f.used_for + ".",
                       "    ");
        out +=
            wrapped(std::string(f.used ? "Without it: " : "Meanwhile: ") + f.without + ".", "    ");
    }
    return out;
}

nlohmann::json features_json(const std::string& release, const std::vector<KernelFeature>& all) {
    auto list = nlohmann::json::array();
    for (const auto& f : all) {
        nlohmann::json j = {
            {"name", f.name},         {"title", f.title},           {"available", nullptr},
            {"detail", f.detail},     {"needs_root", f.needs_root}, {"used", f.used},
            {"used_for", f.used_for}, {"without", f.without}};
        if (f.state != KernelFeature::State::Unknown)
            j["available"] = f.state == KernelFeature::State::Yes;
        list.push_back(std::move(j));
    }
    return {{"kernel", release}, {"features", list}};
}

}  // namespace

int features_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")("json", "print JSON instead of text");
    const auto vm = parse_subcommand_line(
        args, opts, std::nullopt, Positional::None,
        {"usage: nsreconcile features [--json]\n",
         "Probes the running kernel for each feature nsreconcile can use and says\n"
         "whether it is there, what it is used for and what nsreconcile does\n"
         "without it. Probes that mount run as root in a throwaway mount namespace\n"
         "and change nothing outside it; without root they say 'unknown (needs\n"
         "root)'. Exit 0.\n",
         {"nsreconcile features --json"}});
    if (vm.count("help"))
        return kExitOk;
    const std::string release = kernel_release();
    const auto all = probe_kernel_features();
    if (vm.count("json"))
        std::cout << dump_json(features_json(release, all));
    else
        std::cout << features_text(release, all);
    return kExitOk;
}

}  // namespace nsr::cmd
