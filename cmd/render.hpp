// JSON renderings of plans and apply outcomes (the text form is in
// cmd/text_report.hpp). Their schemas are docs/schema/plan.json and
// docs/schema/apply.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cmd/scenario.hpp"
#include "reconcile/executor.hpp"

namespace nsr::cmd {

// {"changes":[{"action","entry","replaces"?,"needed","reason"}]}; text that
// is not UTF-8 as cmd/json_text.hpp describes (entry_hex, ...).
nlohmann::json plan_json(const std::vector<PlannedChange>& changes);

// {"changes":[{"action","entry","replaces"?,"outcome","detail","synthesized":[...]}]},
// text as plan_json.
nlohmann::json outcomes_json(const std::vector<reconcile::Outcome>& outcomes);

}  // namespace nsr::cmd
