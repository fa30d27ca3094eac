#include "reconcile/change.hpp"

#include "base/names.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

namespace {

constexpr base::Named<Action> kNames[] = {
    {Action::Keep, "keep"},
    {Action::Mount, "mount"},
    {Action::Unmount, "unmount"},
    {Action::Replace, "replace"},
};

}  // namespace

std::string_view action_name(Action a) {
    return base::name_of(kNames, a);
}

std::optional<Action> action_from_name(std::string_view name) {
    return base::value_named(kNames, name);
}

bool is_mount_kind(const profile::MountEntry& e) {
    const profile::EntryKind k = profile::kind(e);
    return k == profile::EntryKind::Directory || k == profile::EntryKind::File;
}

}  // namespace nsr::reconcile
