#include "reconcile/plan.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/path.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::dir_less;
using base::parent_dir;
using profile::Kind;
using profile::MountEntry;
using profile::Origin;

namespace {

// What the reuse decision is keyed by. snapd 2.57 (Debian 12, the version
// the conformance harness runs) keys it by mount point alone, so a mimic
// tmpfs sharing its dir with a reused entry is kept too; later snapd keys it
// by (dir, type). We follow the version the harness checks against.
using Key = std::string_view;
Key key_of(const MountEntry& e) {
    return e.dir;
}

int origin_rank(const MountEntry& e) {
    switch (profile::origin(e)) {
        case Origin::Overname:
            return 0;
        case Origin::Layout:
            return 2;
        default:
            return 1;
    }
}

// The positions of V's entries, sorted stably by (RANK, dir with snapd's
// slash rule). The ranks are computed once per entry: reading an option in
// the comparator would cost a lookup and an allocation per comparison.
template <typename Rank>
std::vector<size_t> order_by_rank_and_dir(const std::vector<MountEntry>& v, Rank rank) {
    std::vector<std::pair<int, size_t>> keyed;
    keyed.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i)
        keyed.emplace_back(rank(v[i]), i);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first)
            return a.first < b.first;
        return dir_less(v[a.second].dir, v[b.second].dir);
    });
    std::vector<size_t> order;
    order.reserve(v.size());
    for (const auto& [r, i] : keyed)
        order.push_back(i);
    return order;
}

// byOriginAndMountPoint: overname, then everything else, then layouts; by
// mount point within a rank. Stable, so ties keep their input order where
// snapd's unstable sort leaves them unspecified.
void sort_by_origin_and_dir(std::vector<MountEntry>& v) {
    std::vector<MountEntry> sorted;
    sorted.reserve(v.size());
    for (size_t i : order_by_rank_and_dir(v, origin_rank))
        sorted.push_back(std::move(v[i]));
    v = std::move(sorted);
}

// byOvernameAndMountPoint: overname first, then by mount point.
std::vector<size_t> order_by_overname_and_dir(const std::vector<MountEntry>& v) {
    return order_by_rank_and_dir(
        v, [](const MountEntry& e) { return profile::origin(e) == Origin::Overname ? 0 : 1; });
}

std::vector<MountEntry> cleaned(profile::MountProfile&& p) {
    std::vector<MountEntry> out = std::move(p.entries);
    for (auto& e : out) {
        if (!base::is_clean_absolute(e.dir))
            e.dir = clean_path(e.dir);
    }
    return out;
}

// Current entries that stay in place (R5): identical to a desired entry,
// synthetic for a desired owner, or the rootfs; never under a changed entry.
// The keys are views of CURRENT's dirs.
std::unordered_set<Key> reused_keys(
    const std::vector<MountEntry>& current,
    const std::unordered_map<std::string_view, const MountEntry*>& desired_by_dir,
    const std::unordered_set<std::string>& desired_ids) {
    std::unordered_set<Key> reused;
    std::string skip_prefix;
    for (const size_t i : order_by_overname_and_dir(current)) {
        const MountEntry& e = current[i];
        if (!skip_prefix.empty() && e.dir.starts_with(skip_prefix))
            continue;
        skip_prefix.clear();
        if (profile::origin(e) == Origin::Rootfs) {
            reused.insert(key_of(e));
            continue;
        }
        if (profile::is_synthetic(e)) {
            auto owner = profile::needed_by(e);
            if (owner && desired_ids.count(*owner)) {
                reused.insert(key_of(e));
                continue;
            }
        }
        auto it = desired_by_dir.find(e.dir);
        if (it != desired_by_dir.end() && *it->second == e) {
            reused.insert(key_of(e));
            continue;
        }
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

// Does the entry's mount point already exist in the form the mount needs?
bool target_exists(const MountEntry& e, const FsView& fs) {
    switch (profile::kind(e)) {
        case Kind::Directory:
            return fs.stat(e.dir) == FileType::Directory;
        case Kind::File:
            return fs.stat(e.dir) != FileType::Missing;
        case Kind::Symlink:
            return fs.lstat(e.dir) == FileType::Symlink;
        default:
            return true;
    }
}

// Is DIR the last of its ancestors? "/", or "." for a relative path (which
// only the unvalidated inputs of a scenario or a current profile hold).
bool is_top(const std::string& dir) {
    return dir == "/" || dir == ".";
}

// The directory a writable mimic would go over: the nearest existing
// directory at or above DIR.
std::string nearest_existing_dir(std::string dir, const FsView& fs) {
    while (!is_top(dir) && fs.stat(dir) != FileType::Directory)
        dir = parent_dir(dir);
    return dir;
}

// R8-R10: the mount block. Overname entries and entries whose mount point
// exists come first, by origin and dir; then, per mimic directory in plain
// string order, the entries that will need that mimic.
std::vector<MountEntry> mount_order(std::vector<MountEntry> not_reused, const FsView& fs) {
    std::unordered_set<std::string> added;
    std::vector<MountEntry> independent;
    std::map<std::string, std::vector<MountEntry>> by_mimic;
    // An overname entry goes first; whatever else has its dir comes too
    // late to be added.
    std::vector<bool> taken(not_reused.size(), false);
    for (size_t i = 0; i < not_reused.size(); ++i) {
        MountEntry& e = not_reused[i];
        if (profile::origin(e) == Origin::Overname && added.insert(e.dir).second) {
            independent.push_back(std::move(e));
            taken[i] = true;
        }
    }
    for (size_t i = 0; i < not_reused.size(); ++i) {
        MountEntry& e = not_reused[i];
        if (taken[i])
            continue;
        if (target_exists(e, fs)) {
            if (added.insert(e.dir).second)
                independent.push_back(std::move(e));
        } else {
            by_mimic[nearest_existing_dir(parent_dir(e.dir), fs)].push_back(std::move(e));
        }
    }
    std::vector<MountEntry> need_mimic;
    for (auto& [mimic_dir, entries] : by_mimic) {
        sort_by_origin_and_dir(entries);
        for (auto& e : entries) {
            if (added.insert(e.dir).second)
                need_mimic.push_back(std::move(e));
        }
    }
    sort_by_origin_and_dir(independent);
    independent.insert(independent.end(), std::make_move_iterator(need_mimic.begin()),
                       std::make_move_iterator(need_mimic.end()));
    return independent;
}

// Folds "unmount X at DIR ... mount Y at DIR" into one Replace at the
// mount's position, when X is the only thing unmounted at DIR: the new
// mount can then be attached beneath the old one instead of after a gap.
// X must not sit under another mount that comes down: it has to be
// unmounted before that one, which would otherwise take it along.
void fold_replacements(std::vector<Change>& changes) {
    std::unordered_map<std::string, int> unmounts_at;
    std::unordered_set<std::string> real_unmounts;
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
    std::unordered_map<std::string, size_t> unmount_index;
    for (size_t i = 0; i < changes.size(); ++i) {
        const auto& c = changes[i];
        if (c.action == Action::Unmount && unmounts_at[c.entry.dir] == 1 &&
            is_mount_kind(c.entry) && !under_real_unmount(c.entry.dir)) {
            unmount_index[c.entry.dir] = i;
        }
    }
    std::vector<bool> drop(changes.size(), false);
    for (auto& c : changes) {
        if (c.action != Action::Mount || !is_mount_kind(c.entry))
            continue;
        auto it = unmount_index.find(c.entry.dir);
        if (it == unmount_index.end() || drop[it->second])
            continue;
        drop[it->second] = true;
        c.replaces = std::move(changes[it->second].entry);
        c.action = Action::Replace;
    }
    size_t kept = 0;
    for (size_t i = 0; i < changes.size(); ++i) {
        if (drop[i])
            continue;
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
    sort_by_origin_and_dir(desired);

    // Which entries stay, by position, decided while both lists are whole
    // (the reuse keys are views of the current entries' dirs).
    std::vector<bool> keep_current(current.size()), keep_desired(desired.size());
    {
        std::unordered_map<std::string_view, const MountEntry*> desired_by_dir;
        desired_by_dir.reserve(desired.size());
        for (const auto& e : desired)
            desired_by_dir[e.dir] = &e;  // the last one in sorted order wins
        // Only synthetic entries ask for their owner's id.
        std::unordered_set<std::string> desired_ids;
        if (std::any_of(current.begin(), current.end(), profile::is_synthetic)) {
            for (const auto& e : desired)
                desired_ids.insert(profile::entry_id(e));
        }
        const auto reused = reused_keys(current, desired_by_dir, desired_ids);
        for (size_t i = 0; i < current.size(); ++i)
            keep_current[i] = reused.count(key_of(current[i])) != 0;
        for (size_t i = 0; i < desired.size(); ++i)
            keep_desired[i] = reused.count(key_of(desired[i])) != 0;
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

    std::vector<MountEntry> not_reused;
    for (size_t i = 0; i < desired.size(); ++i) {
        if (!keep_desired[i])
            not_reused.push_back(std::move(desired[i]));
    }
    desired = {};
    for (auto& e : mount_order(std::move(not_reused), fs)) {
        changes.push_back({Action::Mount, std::move(e), std::nullopt});
    }

    if (options.tuck)
        fold_replacements(changes);
    return changes;
}

}  // namespace nsr::reconcile
