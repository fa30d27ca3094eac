// Every subcommand's --help, as a user reads it in a terminal: it fits in
// 80 columns and ends with an example. The subcommands are read from the
// top-level help and `ns --help`, so a new one is checked without being
// listed here.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

using nsr::test::run_binary;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    return lines;
}

// The first word of each line indented by two spaces after HEADER, up to
// the next blank line.
std::vector<std::string> listed_after(const std::string& help, const std::string& header,
                                      const std::string& prefix) {
    std::vector<std::string> words;
    bool in = false;
    for (const auto& l : lines_of(help)) {
        if (l == header) {
            in = true;
        } else if (in && l.empty()) {
            break;
        } else if (in && l.rfind("  " + prefix, 0) == 0) {
            std::istringstream w(l.substr(2 + prefix.size()));
            std::string word;
            w >> word;
            words.push_back(word);
        }
    }
    return words;
}

// Every command line that has a --help: the top level, each subcommand,
// each ns subcommand.
std::vector<std::vector<std::string>> every_help() {
    std::vector<std::vector<std::string>> all = {{"--help"}};
    for (const auto& c : listed_after(run_binary({"--help"}).out, "commands:", ""))
        all.push_back({c, "--help"});
    for (const auto& c : listed_after(
             run_binary({"ns", "--help"}).out,
             "Persistent mount namespaces, kept alive by a namespace file:", "nsreconcile ns "))
        all.push_back({"ns", c, "--help"});
    return all;
}

std::string joined(const std::vector<std::string>& args) {
    std::string out = "nsreconcile";
    for (const auto& a : args)
        out += " " + a;
    return out;
}

}  // namespace

TEST_CASE("every --help is found: the subcommands and the ns subcommands") {
    const auto all = every_help();
    // The top level, lint, plan, apply, check, ns, features, snap-update-ns,
    // and create, run, discard, list under ns.
    CHECK(all.size() >= 12);
    std::vector<std::string> names;
    for (const auto& a : all)
        names.push_back(joined(a));
    for (const char* expected :
         {"nsreconcile plan --help", "nsreconcile features --help", "nsreconcile ns create --help",
          "nsreconcile ns list --help", "nsreconcile snap-update-ns --help"}) {
        CHECK_MESSAGE(std::find(names.begin(), names.end(), expected) != names.end(), expected);
    }
}

TEST_CASE("every --help fits in 80 columns and ends with an example") {
    for (const auto& args : every_help()) {
        const auto r = run_binary(args);
        INFO(joined(args) << "\n" << r.out << r.err);
        CHECK(r.status == 0);
        CHECK(r.err.empty());
        const auto lines = lines_of(r.out);
        REQUIRE(!lines.empty());
        for (const auto& l : lines)
            CHECK_MESSAGE(l.size() <= 80, l.size(), " columns: ", l);
        // The last section is the examples: a header, then only indented
        // lines, at least one of them a command.
        size_t header = lines.size();
        for (size_t i = 0; i < lines.size(); ++i) {
            if (lines[i] == "example:" || lines[i] == "examples:")
                header = i;
        }
        REQUIRE_MESSAGE(header < lines.size(), "no example section");
        CHECK(header + 1 < lines.size());
        bool command = false;
        for (size_t i = header + 1; i < lines.size(); ++i) {
            CHECK_MESSAGE(lines[i].rfind("  ", 0) == 0, "not part of the examples: ", lines[i]);
            command = command || lines[i].find("nsreconcile ") != std::string::npos;
        }
        CHECK(command);
    }
}
