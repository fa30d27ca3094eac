// The key a plan's reuse decision is made by (README "How a change is
// judged and applied"; plan.hpp R5, R7, H2), shared by plan() and
// copy_dependents(). Header only: a struct, its hash and one accessor.
#pragma once

#include <functional>
#include <string_view>
#include <unordered_set>

#include "profile/mount_entry.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

// What the reuse decision is keyed by: the mount point and the filesystem
// type, as later snapd does. snapd 2.57 (Debian 12, the version the
// conformance harness runs) keys it by mount point alone, so a mimic tmpfs
// kept for its owner keeps any entry at the same directory with it, and
// masks a new layout there: the stale mimic hides the layout's content
// (README, "Differences from snap-update-ns"). A synthetic entry is
// keyed apart: a mimic's bind-back and a content bind at one directory
// are two mounts, and the kept bind-back must not keep the bind. The views
// are of the entries' own strings.
struct Key {
    std::string_view dir;
    std::string_view type;
    bool synthetic;
    bool operator==(const Key&) const = default;
};
struct KeyHash {
    size_t operator()(const Key& k) const noexcept {
        const std::hash<std::string_view> h;
        return (h(k.dir) * 31 + h(k.type)) * 2 + k.synthetic;
    }
};
using KeySet = std::unordered_set<Key, KeyHash>;
inline Key key_of(const profile::MountEntry& e) {
    return {e.dir, e.type, profile::is_synthetic(e)};
}

}  // namespace nsr::reconcile
