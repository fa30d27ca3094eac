#include "cmd/help_text.hpp"

#include <ostream>

namespace nsr::cmd {

void print_help(std::ostream& out, const HelpText& text,
                const boost::program_options::options_description* options) {
    out << text.usage << "\n" << text.about;
    if (options)
        out << "\n" << *options;
    // Comment lines and continuation lines are not examples of their own.
    size_t commands = 0;
    for (auto line : text.examples)
        commands += !line.starts_with("#") && !line.starts_with(" ");
    out << "\n" << (commands == 1 ? "example:\n" : "examples:\n");
    for (auto line : text.examples)
        out << "  " << line << "\n";
}

}  // namespace nsr::cmd
