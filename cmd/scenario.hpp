// Plan scenario files: a public YAML format that pins a plan (mount table,
// file facts, current and desired profiles -> expected changes).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/mount_view.hpp"

namespace nsr::cmd {

// One change with its needed() verdict, as printed and as pinned.
struct PlannedChange {
    reconcile::Change change;
    bool needed = true;
    std::string reason;
};

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

// Reads and checks a scenario file; errors name the file (and line where
// yaml-cpp knows it) and throw std::runtime_error.
Scenario load_scenario(const std::string& path);

// Each change judged by needed() against VIEW, or marked "not checked"
// when there is none. SOURCES: where bind sources are resolved, when not
// in VIEW's namespace (needed()).
std::vector<PlannedChange> judge(std::vector<reconcile::Change> changes, reconcile::MountView* view,
                                 const reconcile::FsView& fs,
                                 reconcile::MountView* sources = nullptr);

// The plan of a scenario, judged against its mount table if it has one.
std::vector<PlannedChange> plan_scenario(const Scenario& s, bool tuck);

}  // namespace nsr::cmd
