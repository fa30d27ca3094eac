#include "reconcile/change.hpp"

#include <array>
#include <utility>

#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

namespace {
constexpr std::array<std::pair<Action, std::string_view>, 4> kNames = {{
    {Action::Keep, "keep"},
    {Action::Mount, "mount"},
    {Action::Unmount, "unmount"},
    {Action::Replace, "replace"},
}};
}  // namespace

std::string_view action_name(Action a) {
    for (const auto& [action, name] : kNames) {
        if (action == a)
            return name;
    }
    return "?";
}

std::optional<Action> action_from_name(std::string_view name) {
    for (const auto& [action, n] : kNames) {
        if (n == name)
            return action;
    }
    return std::nullopt;
}

bool is_mount_kind(const profile::MountEntry& e) {
    const profile::EntryKind k = profile::kind(e);
    return k == profile::EntryKind::Directory || k == profile::EntryKind::File;
}

}  // namespace nsr::reconcile
