// Boost.ProgramOptions glue shared by the subcommands.
#pragma once

#include <boost/program_options.hpp>
#include <optional>

#include "cmd/commands.hpp"
#include "cmd/help_text.hpp"

namespace nsr::cmd {

// Parses ARGS against the visible and hidden options; a malformed command
// line becomes a UsageError.
boost::program_options::variables_map parse_command_line(
    const Args& args, const boost::program_options::options_description& visible,
    const boost::program_options::options_description& hidden = {},
    const boost::program_options::positional_options_description& positional = {});

// The same for "COMMAND NAME [options]": NAME, when given, is vm["name"].
boost::program_options::variables_map parse_named_command_line(
    const Args& args, const boost::program_options::options_description& visible);

// The arguments a subcommand takes besides its options.
enum class Positional {
    None,
    Name,   // an optional namespace NAME: vm["name"]
    File,   // an optional FILE: vm["file"], a string
    Files,  // FILE...: vm["file"], a vector of strings
};

// A subcommand's command line: OPTIONS (its own, --help among them), the
// target options of TARGET_FLAGS when given (cmd/target.hpp), and the
// POSITIONAL arguments. With --help, prints HELP with the options on stdout
// (cmd/help_text.hpp); the caller then returns kExitOk.
boost::program_options::variables_map parse_subcommand_line(
    const Args& args, boost::program_options::options_description& options,
    std::optional<unsigned> target_flags, Positional positional, const HelpText& help);

// vm["name"], or a UsageError saying WHAT_NEEDS_IT ("apply needs a namespace NAME").
std::string name_argument(const boost::program_options::variables_map& vm,
                          const std::string& what_needs_it);

}  // namespace nsr::cmd
