// Checking a scenario file against its pinned plan, and re-pinning it.
#pragma once

#include <string>

namespace nsr::golden {

// "" when the scenario's plan is the one its expected: block pins; else
// what is wrong: the diff, or that the file has no expected: block. Errors
// reading the scenario throw std::runtime_error naming the file.
std::string check_fixture(const std::string& path);

// Rewrites the expected: block of PATH with the scenario's plan (needed is
// written when the scenario has a mount table), leaving every other byte of
// the file as it was. Returns false when the block already said exactly
// that and nothing was written. Throws std::runtime_error on I/O errors and
// when the rewritten file does not pin the plan it was written from.
bool update_fixture(const std::string& path);

}  // namespace nsr::golden
