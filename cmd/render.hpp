// Text and JSON renderings of plans, outcomes and drift.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reconcile/drift.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/judge.hpp"

namespace nsr::cmd {

// ACTION padded to the width of the action column of the text outputs.
std::string action_column(std::string_view action);

// One change a line: "ACTION  ENTRY", "(replaces OLD)" for replacements and
// "(already done: REASON)" where needed() says no.
std::string plan_text(const std::vector<reconcile::PlannedChange>& changes);

// {"changes":[{"action","entry","replaces"?,"needed","reason"}]}
nlohmann::json plan_json(const std::vector<reconcile::PlannedChange>& changes);

// One change a line with its outcome: "done", "already done: REASON",
// "skipped: REASON" or "FAILED: ERROR", then the mimic entries it made.
std::string outcomes_text(const std::vector<reconcile::Outcome>& outcomes);

// {"changes":[{"action","entry","replaces"?,"outcome","detail","synthesized":[...]}]}
nlohmann::json outcomes_json(const std::vector<reconcile::Outcome>& outcomes);

// "missing  DIR  (ENTRY): DETAIL" lines, then a summary line.
std::string drift_text(const reconcile::DriftReport& report);

// {"in_step", "checked", "drift":[{"kind","dir","entry"?,"detail"}]}
nlohmann::json drift_json(const reconcile::DriftReport& report);

}  // namespace nsr::cmd
