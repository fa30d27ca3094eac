// JSON renderings of plans, apply outcomes and drift (the text form is in
// cmd/text_report.hpp). Their schemas are docs/schema/plan.json and
// docs/schema/apply.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "reconcile/drift.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/judge.hpp"

namespace nsr::cmd {

// {"changes":[{"action","entry","replaces"?,"needed","reason"}]}; text that
// is not UTF-8 as cmd/json_text.hpp describes (entry_hex, ...).
nlohmann::json plan_json(const std::vector<reconcile::PlannedChange>& changes);

// {"changes":[{"action","entry","replaces"?,"outcome","detail","synthesized":[...]}]},
// text as plan_json.
nlohmann::json outcomes_json(const std::vector<reconcile::Outcome>& outcomes);

// {"in_step", "checked", "drift":[{"kind","dir","entry"?,"detail"}]}; text
// as plan_json.
nlohmann::json drift_json(const reconcile::DriftReport& report);

// ACTION padded to the width of an action column ("replace  "), as the
// golden plans' diff lists changes.
std::string action_column(std::string_view action);

}  // namespace nsr::cmd
