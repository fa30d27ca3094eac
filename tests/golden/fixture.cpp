#include "tests/golden/fixture.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "cmd/scenario.hpp"
#include "tests/golden/expected_block.hpp"
#include "tests/golden/plan_diff.hpp"

namespace nsr::golden {

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
}

}  // namespace

std::string check_fixture(const std::string& path) {
    const cmd::Scenario s = cmd::load_scenario(path);
    if (!s.expected) {
        return "has no expected: block; write the plan worked out from the rules, or run "
               "golden_runner --update " +
               path;
    }
    try {
        return plan_diff(*s.expected, cmd::plan_scenario(s, s.tuck));
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

bool update_fixture(const std::string& path) {
    const cmd::Scenario s = cmd::load_scenario(path);
    const std::string text = read_file(path);
    const std::string updated = replace_expected_block(
        text, expected_block(cmd::plan_scenario(s, s.tuck), s.table.has_value()));
    if (updated == text)
        return false;
    write_file(path, updated);
    const std::string left = check_fixture(path);
    if (!left.empty())
        throw std::runtime_error(path +
                                 ": the rewritten expected: block does not pin the plan: " + left);
    return true;
}

}  // namespace nsr::golden
