// The --help text every subcommand prints, in one shape: usage, what the
// command does, its options, then examples. Every line fits in 80 columns
// (tests/cmd/help_test.cpp checks each subcommand's).
#pragma once

#include <boost/program_options.hpp>
#include <iosfwd>
#include <string_view>
#include <vector>

namespace nsr::cmd {

struct HelpText {
    std::string_view usage;  // "usage: ..." lines, each ending in '\n'
    std::string_view about;  // paragraphs, lines already wrapped, ending in '\n'
    // Command lines, each optionally preceded by a "# comment" line; a line
    // that starts with a space continues the command above it.
    std::vector<std::string_view> examples;
};

// Prints TEXT with OPTIONS (none when null) between the description and the
// examples.
void print_help(std::ostream& out, const HelpText& text,
                const boost::program_options::options_description* options);

}  // namespace nsr::cmd
