// One step of a plan: what to do with one profile entry.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "profile/mount_entry.hpp"

namespace nsr::reconcile {

enum class Action { Keep, Mount, Unmount, Replace };

std::string_view action_name(Action a);  // "keep", "mount", "unmount", "replace"
std::optional<Action> action_from_name(std::string_view name);

// An optional entry kept on the heap: a plan holds one change per entry of
// both profiles, and few of them replace anything, so an empty one costs a
// pointer rather than an entry's room. Copies copy the entry.
class EntryBox {
  public:
    EntryBox() = default;
    EntryBox(std::nullopt_t) {}
    EntryBox(profile::MountEntry e) : p_(std::make_unique<profile::MountEntry>(std::move(e))) {}
    EntryBox(const EntryBox& o)
        : p_(o.p_ ? std::make_unique<profile::MountEntry>(*o.p_) : nullptr) {}
    EntryBox(EntryBox&&) noexcept = default;
    EntryBox& operator=(const EntryBox& o) { return *this = EntryBox(o); }
    EntryBox& operator=(EntryBox&&) noexcept = default;

    bool has_value() const { return p_ != nullptr; }
    explicit operator bool() const { return has_value(); }
    const profile::MountEntry& operator*() const { return *p_; }
    profile::MountEntry& operator*() { return *p_; }
    const profile::MountEntry* operator->() const { return p_.get(); }
    profile::MountEntry* operator->() { return p_.get(); }
    bool operator==(const EntryBox& o) const { return p_ && o.p_ ? *p_ == *o.p_ : p_ == o.p_; }

  private:
    std::unique_ptr<profile::MountEntry> p_;
};

struct Change {
    Action action;
    profile::MountEntry entry;  // for Replace: the new entry
    // For Replace: the entry being replaced at the same dir.
    EntryBox replaces;

    bool operator==(const Change&) const = default;
};

// The entry is a mount (x-snapd.kind directory or file), not a symlink, an
// ensure-dir or a kind nothing acts upon.
bool is_mount_kind(const profile::MountEntry& e);

}  // namespace nsr::reconcile
