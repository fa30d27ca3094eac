// One step of a plan: what to do with one profile entry.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "profile/mount_entry.hpp"

namespace nsr::reconcile {

enum class Action { Keep, Mount, Unmount, Replace };

std::string_view action_name(Action a);  // "keep", "mount", "unmount", "replace"
std::optional<Action> action_from_name(std::string_view name);

struct Change {
    Action action;
    profile::MountEntry entry;  // for Replace: the new entry
    // For Replace: the entry being replaced at the same dir.
    std::optional<profile::MountEntry> replaces;

    bool operator==(const Change&) const = default;
};

// The entry is a mount (x-snapd.kind directory or file), not a symlink, an
// ensure-dir or a kind nothing acts upon.
bool is_mount_kind(const profile::MountEntry& e);

}  // namespace nsr::reconcile
