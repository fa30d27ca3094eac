#include "cmd/options.hpp"

#include <iostream>

#include "cmd/target.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

po::variables_map parse_command_line(const Args& args, const po::options_description& visible,
                                     const po::options_description& hidden,
                                     const po::positional_options_description& positional) {
    po::options_description all;
    all.add(visible).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    return vm;
}

po::variables_map parse_named_command_line(const Args& args,
                                           const po::options_description& visible) {
    po::options_description hidden;
    hidden.add_options()("name", po::value<std::string>(), "namespace name");
    po::positional_options_description pos;
    pos.add("name", 1);
    return parse_command_line(args, visible, hidden, pos);
}

po::variables_map parse_subcommand_line(const Args& args, po::options_description& options,
                                        std::optional<unsigned> target_flags, Positional positional,
                                        const HelpText& help) {
    if (target_flags)
        options.add(target_options(*target_flags));
    po::options_description hidden;
    po::positional_options_description at;
    switch (positional) {
        case Positional::None:
            break;
        case Positional::Name:
            hidden.add_options()("name", po::value<std::string>(), "namespace name");
            at.add("name", 1);
            break;
        case Positional::File:
            hidden.add_options()("file", po::value<std::string>(), "input file");
            at.add("file", 1);
            break;
        case Positional::Files:
            hidden.add_options()("file", po::value<std::vector<std::string>>(), "input files");
            at.add("file", -1);
            break;
    }
    auto vm = parse_command_line(args, options, hidden, at);
    if (vm.count("help"))
        print_help(std::cout, help, &options);
    return vm;
}

std::string name_argument(const po::variables_map& vm, const std::string& what_needs_it) {
    if (!vm.count("name"))
        throw UsageError(what_needs_it);
    return vm["name"].as<std::string>();
}

}  // namespace nsr::cmd
