// Comparing a scenario's plan with the plan its file pins.
#pragma once

#include <string>
#include <vector>

#include "cmd/scenario.hpp"

namespace nsr::cmd {

// An expected change agrees with a planned one when the action, the entry
// and the replaced entry are the same (entries compared as parsed fstab
// lines, so any spelling snapd accepts may be pinned), and so are needed and
// reason wherever the expectation pins them. Throws base::InputError when
// a pinned entry is not an fstab line.
bool agrees(const ExpectedChange& expected, const reconcile::PlannedChange& actual);

// "" when the plan agrees with EXPECTED change by change. Otherwise a
// readable diff: the first differing change by number, then every change
// with " " (in both), "-" (only expected) or "+" (only in the plan) and its
// entry line.
std::string plan_diff(const std::vector<ExpectedChange>& expected,
                      const std::vector<reconcile::PlannedChange>& actual);

}  // namespace nsr::cmd
