#include "cmd/expected_block.hpp"

#include <doctest/doctest.h>

#include "profile/fstab.hpp"

using namespace nsr::cmd;
using namespace nsr::reconcile;

namespace {

nsr::profile::MountEntry entry(const std::string& line) {
    return nsr::profile::parse_profile(line, "test").entries.at(0);
}

}  // namespace

TEST_CASE("the expected block has one flow mapping a change") {
    std::vector<PlannedChange> plan = {
        {{Action::Keep, entry("/a /b none bind 0 0"), std::nullopt}, false, "in place"},
        {{Action::Replace, entry("/c /d none bind,ro 0 0"), entry("/e /d none bind,ro 0 0")},
         true,
         "differs"}};
    CHECK(expected_block(plan, true) ==
          "expected:\n"
          "  - {action: keep, entry: \"/a /b none bind 0 0\", needed: false}\n"
          "  - {action: replace, entry: \"/c /d none bind,ro 0 0\", replaces: \"/e /d none "
          "bind,ro 0 0\", needed: true}\n");
    CHECK(expected_block(plan, false) ==
          "expected:\n"
          "  - {action: keep, entry: \"/a /b none bind 0 0\"}\n"
          "  - {action: replace, entry: \"/c /d none bind,ro 0 0\", replaces: \"/e /d none "
          "bind,ro 0 0\"}\n");
    CHECK(expected_block({}, true) == "expected: []\n");
}

TEST_CASE("entries with escapes are single-quoted so YAML keeps the backslashes") {
    std::vector<PlannedChange> plan = {
        {{Action::Mount, entry("/a/My\\040Files /b/it's none bind 0 0"), std::nullopt}, true, ""}};
    CHECK(expected_block(plan, false) ==
          "expected:\n  - {action: mount, entry: '/a/My\\040Files /b/it''s none bind 0 0'}\n");
}

TEST_CASE("only the expected block is replaced; comments, order and other keys stay") {
    const std::string head =
        "name: x\n"
        "# a comment about the profiles\n"
        "current: |\n"
        "  /a /b none bind 0 0\n";
    const std::string old_block =
        "expected:\n"
        "  # an indented note inside the block\n"
        "  - {action: mount, entry: \"/a /b none bind 0 0\"}\n"
        "\n"
        "  - {action: keep, entry: \"/c /d none bind 0 0\"}\n";
    const std::string tail =
        "\n"
        "# trailing comment\n"
        "desired: |\n"
        "  /a /b none bind 0 0\n";
    const std::string block = "expected: []\n";
    CHECK(replace_expected_block(head + old_block + tail, block) == head + block + tail);
    CHECK(replace_expected_block(head + old_block, block) == head + block);
}

TEST_CASE("a sequence written at column 0 and a flow list on the key line are one block") {
    const std::string block = "expected:\n  - {action: keep, entry: \"/a /b none bind 0 0\"}\n";
    CHECK(replace_expected_block("name: x\nexpected:\n- {action: mount, entry: \"/a /b none bind "
                                 "0 0\"}\n- {action: keep, entry: \"/c /d none bind 0 0\"}\n"
                                 "desired: \"\"\n",
                                 block) == "name: x\n" + block + "desired: \"\"\n");
    CHECK(replace_expected_block("expected: []\nname: x\n", block) == block + "name: x\n");
}

TEST_CASE("a key that only starts with expected is not the block") {
    const std::string text = "expected_notes: keep me\nname: x";
    CHECK(replace_expected_block(text, "expected: []\n") == text + "\nexpected: []\n");
}
