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

// {"changes":[{"action","entry","replaces"?,"needed","reason"}]}
nlohmann::json plan_json(const std::vector<PlannedChange>& changes);

// {"changes":[{"action","entry","replaces"?,"outcome","detail","synthesized":[...]}]}
nlohmann::json outcomes_json(const std::vector<reconcile::Outcome>& outcomes);

}  // namespace nsr::cmd
