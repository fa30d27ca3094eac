// The expected: block of a scenario file, as text: writing it for a plan and
// putting it in place of the old one without touching the rest of the file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cmd/scenario.hpp"

namespace nsr::cmd {

// "expected:" and one flow mapping a line per change (action, entry,
// replaces, and needed when WITH_NEEDED), or "expected: []" for no change.
// Ends with a newline.
std::string expected_block(const std::vector<reconcile::PlannedChange>& plan, bool with_needed);

// TEXT with its top-level expected: block (the "expected:" line and every
// indented or "-" line after it, up to the next top-level line; trailing
// blank lines stay outside) replaced by BLOCK. Every other byte is kept.
// Without such a block, BLOCK is appended.
std::string replace_expected_block(std::string_view text, std::string_view block);

}  // namespace nsr::cmd
