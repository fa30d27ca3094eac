#include "reconcile/plan.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/path.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/copy_dependents.hpp"
#include "reconcile/mount_order.hpp"
#include "reconcile/reuse_key.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::parent_dir;
using profile::MountEntry;
using profile::Origin;

namespace {

std::vector<MountEntry> cleaned(profile::MountProfile&& p) {
    std::vector<MountEntry> out = std::move(p.entries);
    for (auto& e : out) {
        if (!base::is_clean_absolute(e.dir))
            e.dir = clean_path(e.dir);
    }
    return out;
}

// The directories where a desired mount is not in the current profile:
// something new will be mounted there. Views of DESIRED's dirs.
std::unordered_set<std::string_view> dirs_of_new_mounts(const std::vector<MountEntry>& current,
                                                        const std::vector<MountEntry>& desired) {
    // A multimap: most dirs hold one entry, which needs no list of its own.
    std::unordered_multimap<std::string_view, const MountEntry*> current_at;
    current_at.reserve(current.size());
    for (const auto& e : current)
        current_at.emplace(e.dir, &e);
    std::unordered_set<std::string_view> dirs;
    for (const auto& d : desired) {
        if (!is_mount_kind(d))
            continue;
        const auto [first, last] = current_at.equal_range(d.dir);
        if (std::none_of(first, last, [&](const auto& c) { return *c.second == d; }))
            dirs.insert(d.dir);
    }
    return dirs;
}

// Current entries that stay in place (R5): identical to a desired entry,
// synthetic for a desired owner, or the rootfs; never under a changed entry.
// Keyed by (dir, type), two rules keep a mimic from outliving what it
// mirrors (a mimic tmpfs replicates the directory it covers, which may be
// another entry's mount at the same dir, as with nested layouts):
// - an entry stacked on a changed entry at the same dir (later in the log)
//   is changed with it, as the entries below it are;
// - a synthetic entry is not kept at a dir where a new mount is desired
//   (NEW_MOUNT_DIRS), which would cover it.
// The keys are views of CURRENT's strings.
// FORCED: keys never reused (copy_dependents()).
KeySet reused_keys(const std::vector<MountEntry>& current,
                   const std::unordered_map<std::string_view, const MountEntry*>& desired_by_dir,
                   const std::unordered_set<std::string>& desired_ids,
                   const std::unordered_set<std::string_view>& new_mount_dirs,
                   const KeySet& forced) {
    KeySet reused;
    reused.reserve(current.size());
    std::string_view skip_dir;
    std::string skip_prefix;
    for (const size_t i : order_by_overname_and_dir(current)) {
        const MountEntry& e = current[i];
        if (!skip_prefix.empty() && (e.dir == skip_dir || e.dir.starts_with(skip_prefix)))
            continue;
        skip_dir = {};
        skip_prefix.clear();
        const Key key = key_of(e);
        // Mostly nothing is forced: no hashing then.
        const bool may_reuse = forced.empty() || !forced.count(key);
        if (may_reuse && profile::origin(e) == Origin::Rootfs) {
            reused.insert(key);
            continue;
        }
        if (may_reuse && key.synthetic && !new_mount_dirs.count(e.dir)) {
            auto owner = profile::needed_by(e);
            if (owner && desired_ids.count(*owner)) {
                reused.insert(key);
                continue;
            }
        }
        auto it = desired_by_dir.find(e.dir);
        if (may_reuse && it != desired_by_dir.end() && *it->second == e) {
            reused.insert(key);
            continue;
        }
        skip_dir = e.dir;
        skip_prefix = e.dir;
        if (skip_prefix.back() != '/')
            skip_prefix += '/';
    }
    return reused;
}

MountEntry with_detach(MountEntry e) {
    const bool hosts_mounts = e.type == "tmpfs" || profile::is_bind(e);
    if (hosts_mounts && !profile::is_detach(e))
        e.options.push_back("x-snapd.detach");
    return e;
}

// The rbinds a plan mounts: (position, clean source).
std::vector<std::pair<size_t, std::string>> rbind_mounts(const std::vector<Change>& changes) {
    std::vector<std::pair<size_t, std::string>> out;
    for (size_t j = 0; j < changes.size(); ++j) {
        const MountEntry& e = changes[j].entry;
        if (changes[j].action == Action::Mount && is_mount_kind(e) && profile::is_rbind(e))
            out.emplace_back(j, clean_path(e.name));
    }
    return out;
}

// Does one of RBINDS (rbind_mounts()) mounted between FROM and TO copy what
// is at DIR (lies at or below its source)? Then the old mount at DIR must
// be gone before it, as copy_dependents() arranged, not replaced after it.
bool copied_between(const std::vector<std::pair<size_t, std::string>>& rbinds, std::string_view dir,
                    size_t from, size_t to) {
    return std::any_of(rbinds.begin(), rbinds.end(), [&](const auto& r) {
        return r.first > from && r.first < to && base::is_within(dir, r.second);
    });
}

// Folds "unmount X at DIR ... mount Y at DIR" into one Replace at the
// mount's position, when X is the only thing unmounted at DIR: the new
// mount can then be attached beneath the old one instead of after a gap.
// X must not sit under another mount that comes down: it has to be
// unmounted before that one, which would otherwise take it along. Nor
// may an rbind mounted in between copy DIR (H2): X must be gone first.
// Two overlays that share an upperdir or a workdir cannot both be live, so
// Y cannot go beneath X: X's unmount moves instead to right before Y's
// mount, and the gap is only as long as the two take.
void fold_replacements(std::vector<Change>& changes) {
    // Views of the changes' dirs: nothing is moved until the pairs are
    // chosen.
    std::unordered_map<std::string_view, int> unmounts_at;
    std::unordered_set<std::string_view> real_unmounts;
    for (const auto& c : changes) {
        if (c.action != Action::Unmount)
            continue;
        ++unmounts_at[c.entry.dir];
        if (is_mount_kind(c.entry))
            real_unmounts.insert(c.entry.dir);
    }
    auto under_real_unmount = [&](std::string dir) {
        while (!is_top(dir)) {
            dir = parent_dir(dir);
            if (real_unmounts.count(dir))
                return true;
        }
        return false;
    };
    std::unordered_map<std::string_view, size_t> unmount_index;
    for (size_t i = 0; i < changes.size(); ++i) {
        const auto& c = changes[i];
        if (c.action == Action::Unmount && unmounts_at[c.entry.dir] == 1 &&
            is_mount_kind(c.entry) && !under_real_unmount(c.entry.dir)) {
            unmount_index[c.entry.dir] = i;
        }
    }
    unmounts_at = {};
    real_unmounts = {};
    std::vector<bool> drop(changes.size(), false);
    std::vector<std::pair<size_t, size_t>> folds;  // (mount, unmount)
    const auto rbinds = rbind_mounts(changes);
    for (size_t i = 0; i < changes.size(); ++i) {
        const auto& c = changes[i];
        if (c.action != Action::Mount || !is_mount_kind(c.entry))
            continue;
        auto it = unmount_index.find(c.entry.dir);
        if (it == unmount_index.end() || drop[it->second] ||
            copied_between(rbinds, c.entry.dir, it->second, i))
            continue;
        drop[it->second] = true;
        folds.emplace_back(i, it->second);
    }
    unmount_index = {};
    // The unmounts that go right before the mount at the key.
    std::map<size_t, Change> moved;
    for (const auto& [mount, unmount] : folds) {
        if (profile::overlay_entries_share_pair(changes[unmount].entry, changes[mount].entry)) {
            moved.emplace(mount, std::move(changes[unmount]));
            continue;
        }
        changes[mount].replaces = std::move(changes[unmount].entry);
        changes[mount].action = Action::Replace;
    }
    size_t kept = 0;
    for (size_t i = 0; i < changes.size(); ++i) {
        if (drop[i])
            continue;
        // There is room: the unmount was dropped from a place before I.
        if (auto it = moved.find(i); it != moved.end())
            changes[kept++] = std::move(it->second);
        // Not onto itself: a string moved onto itself is left empty.
        if (kept != i)
            changes[kept] = std::move(changes[i]);
        ++kept;
    }
    changes.resize(kept);
}

}  // namespace

std::vector<Change> plan(profile::MountProfile current_profile,
                         profile::MountProfile desired_profile, const FsView& fs,
                         const PlanOptions& options) {
    std::vector<MountEntry> current = cleaned(std::move(current_profile));
    std::vector<MountEntry> desired = cleaned(std::move(desired_profile));
    // The desired entries stay where they are; this is their order.
    const std::vector<size_t> desired_order = order_by_origin_and_dir(desired);

    // Which entries stay, by position, decided while both lists are whole
    // (the reuse keys are views of the current entries' dirs).
    std::vector<bool> keep_current(current.size()), keep_desired(desired.size());
    {
        std::unordered_map<std::string_view, const MountEntry*> desired_by_dir;
        desired_by_dir.reserve(desired.size());
        for (const size_t i : desired_order)
            desired_by_dir[desired[i].dir] = &desired[i];  // the last one in order wins
        // Only synthetic entries ask for their owner's id.
        std::unordered_set<std::string> desired_ids;
        if (std::any_of(current.begin(), current.end(), profile::is_synthetic)) {
            for (const auto& e : desired)
                desired_ids.insert(profile::entry_id(e));
        }
        const auto new_mount_dirs = dirs_of_new_mounts(current, desired);
        // Only an rbind, or a kept mimic a new one may copy, can make a
        // kept entry stale (copy_dependents()).
        const bool copies = std::any_of(desired.begin(), desired.end(), profile::is_rbind) ||
                            std::any_of(current.begin(), current.end(), profile::is_synthetic);
        // The fresh apply's order, worked out only when something changes.
        std::optional<std::vector<size_t>> fresh_order;
        KeySet forced;
        for (;;) {
            const auto reused =
                reused_keys(current, desired_by_dir, desired_ids, new_mount_dirs, forced);
            for (size_t i = 0; i < current.size(); ++i)
                keep_current[i] = reused.count(key_of(current[i])) != 0;
            for (size_t i = 0; i < desired.size(); ++i)
                keep_desired[i] = reused.count(key_of(desired[i])) != 0;
            if (!copies ||
                (std::all_of(keep_desired.begin(), keep_desired.end(), std::identity{}) &&
                 std::all_of(keep_current.begin(), keep_current.end(), std::identity{})))
                break;
            if (!fresh_order)
                fresh_order = mount_order(desired, desired_order, fs);
            // Each round forces more entries out, or ends.
            size_t before = forced.size();
            for (const Key& k :
                 copy_dependents(current, keep_current, desired, keep_desired, *fresh_order, fs))
                forced.insert(k);
            if (forced.size() == before)
                break;
        }
    }

    std::vector<Change> changes;
    changes.reserve(current.size() + desired.size());
    for (size_t i = current.size(); i-- > 0;) {
        if (keep_current[i]) {
            changes.push_back({Action::Keep, std::move(current[i]), std::nullopt});
        } else {
            changes.push_back({Action::Unmount, with_detach(std::move(current[i])), std::nullopt});
        }
    }
    current = {};

    std::vector<size_t> not_reused;
    for (const size_t i : desired_order) {
        if (!keep_desired[i])
            not_reused.push_back(i);
    }
    for (const size_t i : mount_order(desired, not_reused, fs))
        changes.push_back({Action::Mount, std::move(desired[i]), std::nullopt});
    desired = {};

    if (options.tuck)
        fold_replacements(changes);
    return changes;
}

}  // namespace nsr::reconcile
