// Text and JSON renderings of plans.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cmd/scenario.hpp"
#include "reconcile/executor.hpp"

namespace nsr::cmd {

// One change a line: "ACTION  ENTRY", "(replaces OLD)" for replacements and
// "(already done: REASON)" where needed() says no.
std::string plan_text(const std::vector<PlannedChange>& changes);

// {"changes":[{"action","entry","replaces"?,"needed","reason"}]}; text that
// is not UTF-8 as cmd/json_text.hpp describes (entry_hex, ...).
nlohmann::json plan_json(const std::vector<PlannedChange>& changes);

// One change a line with its outcome: "done", "already done: REASON",
// "skipped: REASON" or "FAILED: ERROR", then the mimic entries it made.
std::string outcomes_text(const std::vector<reconcile::Outcome>& outcomes);

// {"changes":[{"action","entry","replaces"?,"outcome","detail","synthesized":[...]}]},
// text as plan_json.
nlohmann::json outcomes_json(const std::vector<reconcile::Outcome>& outcomes);

}  // namespace nsr::cmd
