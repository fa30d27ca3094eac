// Plan scenario files: a public YAML format that pins a plan (mount table,
// file facts, current and desired profiles -> expected changes).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/judge.hpp"

namespace nsr::cmd {

// One change as a scenario file pins it; every field but the action and
// the entry is optional.
struct ExpectedChange {
    std::string action;
    std::string entry;
    std::optional<std::string> replaces;
    std::optional<bool> needed;
    std::optional<std::string> reason;
};

struct Scenario {
    std::string path;
    std::string name;
    bool tuck = true;
    std::optional<mountinfo::MountTable> table;
    std::unique_ptr<reconcile::TableFsView> fs;
    profile::MountProfile current;
    profile::MountProfile desired;
    std::optional<std::vector<ExpectedChange>> expected;
};

// Scenario files are fixtures of a few KiB; the bound only stops a runaway.
inline constexpr size_t kMaxScenarioBytes = 16 << 20;

// Reads and checks a scenario file; errors throw base::InputError naming
// the file (and the line where yaml-cpp knows it).
Scenario load_scenario(const std::string& path);
// The same for the scenario TEXT, which PATH names in errors.
Scenario parse_scenario(const std::string& text, const std::string& path);

// The plan of a scenario, judged against its mount table if it has one.
std::vector<reconcile::PlannedChange> plan_scenario(const Scenario& s, bool tuck);

}  // namespace nsr::cmd
