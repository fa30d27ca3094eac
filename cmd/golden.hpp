// Golden plans: scenario files whose expected: block pins the plan
// (`nsreconcile plan --scenario FILE... --check` and `--update`), for this
// repository's fixtures/plan and for anyone who pins their own profiles.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cmd/exit_code.hpp"

namespace nsr::cmd {

// "" when the scenario's plan is the one its expected: block pins; else
// what is wrong: the diff (cmd/plan_diff.hpp), or that the file has no
// expected: block. A file that cannot be read or is not a valid scenario
// throws base::InputError naming it.
std::string scenario_mismatch(const std::string& path);

// Rewrites the expected: block of PATH with the scenario's plan (needed is
// written when the scenario has a mount table), leaving every other byte of
// the file as it was; the file is replaced atomically and keeps its mode.
// Returns false when the block already said exactly that and nothing was
// written. Throws base::InputError for a bad scenario, std::system_error
// when the file cannot be written, std::runtime_error when the rewritten
// file does not pin the plan it was written from.
bool update_scenario(const std::string& path);

// --check: "FILE: ok" or "FILE: DIFF" on OUT for each of FILES, errors on
// stderr. kExitOk when every plan is the pinned one, kExitBadInput when a
// file could not be checked, else kExitFailed.
ExitCode check_scenarios(const std::vector<std::string>& files, std::ostream& out);

// --update: "FILE: updated" or "FILE: up to date" for each; the exit code
// of the worst error (cmd/exit_code.hpp), kExitOk without one.
ExitCode update_scenarios(const std::vector<std::string>& files, std::ostream& out);

}  // namespace nsr::cmd
