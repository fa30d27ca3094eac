// Text and JSON renderings of plans.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cmd/scenario.hpp"

namespace nsr::cmd {

// One change a line: "ACTION  ENTRY", "(replaces OLD)" for replacements and
// "(already done: REASON)" where needed() says no.
std::string plan_text(const std::vector<PlannedChange>& changes);

// {"changes":[{"action","entry","replaces"?,"needed","reason"}]}
nlohmann::json plan_json(const std::vector<PlannedChange>& changes);

}  // namespace nsr::cmd
