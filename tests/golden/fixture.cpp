#include "tests/golden/fixture.hpp"

#include <stdexcept>

#include "cmd/scenario.hpp"
#include "tests/golden/expected_block.hpp"
#include "tests/golden/plan_diff.hpp"
#include "tests/support/files.hpp"

namespace nsr::golden {

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
    const std::string text = nsr::test::read_file(path);
    const std::string updated = replace_expected_block(
        text, expected_block(cmd::plan_scenario(s, s.tuck), s.table.has_value()));
    if (updated == text)
        return false;
    nsr::test::write_file(path, updated);
    const std::string left = check_fixture(path);
    if (!left.empty())
        throw std::runtime_error(path +
                                 ": the rewritten expected: block does not pin the plan: " + left);
    return true;
}

}  // namespace nsr::golden
