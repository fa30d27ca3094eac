#include "reconcile/plan.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/path.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::dir_less;
using base::parent_dir;
using profile::EntryKind;
using profile::MountEntry;
using profile::Origin;

namespace {

// What the reuse decision is keyed by. snapd 2.57 (Debian 12, the version
// the conformance harness runs) keys it by mount point alone, so a mimic
// tmpfs sharing its dir with a reused entry is kept too; later snapd keys it
// by (dir, type). We follow the version the harness checks against.
using Key = std::string;
const Key& key_of(const MountEntry& e) {
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

// Sorts V stably by (RANK, dir with snapd's slash rule). The ranks are
// computed once per entry: reading an option in the comparator would cost
// a lookup and an allocation per comparison.
template <typename Rank>
void sort_by_rank_and_dir(std::vector<MountEntry>& v, Rank rank) {
    std::vector<std::pair<int, size_t>> order;
    order.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i)
        order.emplace_back(rank(v[i]), i);
    std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first)
            return a.first < b.first;
        return dir_less(v[a.second].dir, v[b.second].dir);
    });
    std::vector<MountEntry> sorted;
    sorted.reserve(v.size());
    for (const auto& [r, i] : order)
        sorted.push_back(std::move(v[i]));
    v = std::move(sorted);
}

// byOriginAndMountPoint: overname, then everything else, then layouts; by
// mount point within a rank. Stable, so ties keep their input order where
// snapd's unstable sort leaves them unspecified.
void sort_by_origin_and_dir(std::vector<MountEntry>& v) {
    sort_by_rank_and_dir(v, origin_rank);
}

// byOvernameAndMountPoint: overname first, then by mount point.
void sort_by_overname_and_dir(std::vector<MountEntry>& v) {
    sort_by_rank_and_dir(
        v, [](const MountEntry& e) { return profile::origin(e) == Origin::Overname ? 0 : 1; });
}

std::vector<MountEntry> cleaned(const profile::MountProfile& p) {
    std::vector<MountEntry> out = p.entries;
    for (auto& e : out)
        e.dir = clean_path(e.dir);
    return out;
}

// Current entries that stay in place (R5): identical to a desired entry,
// synthetic for a desired owner, or the rootfs; never under a changed entry.
std::set<Key> reused_keys(std::vector<MountEntry> current,
                          const std::unordered_map<std::string, const MountEntry*>& desired_by_dir,
                          const std::unordered_set<std::string>& desired_ids) {
    sort_by_overname_and_dir(current);
    std::set<Key> reused;
    std::string skip_prefix;
    for (const auto& e : current) {
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
        case EntryKind::Directory:
            return fs.stat(e.dir) == FileType::Directory;
        case EntryKind::File:
            return fs.stat(e.dir) != FileType::Missing;
        case EntryKind::Symlink:
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
std::vector<MountEntry> mount_order(const std::vector<MountEntry>& not_reused, const FsView& fs) {
    std::unordered_set<std::string> added;
    std::vector<MountEntry> independent;
    std::map<std::string, std::vector<MountEntry>> by_mimic;
    for (const auto& e : not_reused) {
        if (profile::origin(e) == Origin::Overname && added.insert(e.dir).second) {
            independent.push_back(e);
        }
    }
    for (const auto& e : not_reused) {
        if (target_exists(e, fs)) {
            if (added.insert(e.dir).second)
                independent.push_back(e);
        } else {
            by_mimic[nearest_existing_dir(parent_dir(e.dir), fs)].push_back(e);
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
        c.replaces = changes[it->second].entry;
        c.action = Action::Replace;
    }
    std::vector<Change> out;
    out.reserve(changes.size());
    for (size_t i = 0; i < changes.size(); ++i) {
        if (!drop[i])
            out.push_back(std::move(changes[i]));
    }
    changes = std::move(out);
}

}  // namespace

std::vector<Change> plan(const profile::MountProfile& current_profile,
                         const profile::MountProfile& desired_profile, const FsView& fs,
                         const PlanOptions& options) {
    const std::vector<MountEntry> current = cleaned(current_profile);
    std::vector<MountEntry> desired = cleaned(desired_profile);
    sort_by_origin_and_dir(desired);

    std::unordered_map<std::string, const MountEntry*> desired_by_dir;
    std::unordered_set<std::string> desired_ids;
    for (const auto& e : desired) {
        desired_by_dir[e.dir] = &e;  // the last one in sorted order wins
        desired_ids.insert(profile::entry_id(e));
    }
    const std::set<Key> reused = reused_keys(current, desired_by_dir, desired_ids);

    std::vector<Change> changes;
    for (auto it = current.rbegin(); it != current.rend(); ++it) {
        if (reused.count(key_of(*it))) {
            changes.push_back({Action::Keep, *it, std::nullopt});
        } else {
            changes.push_back({Action::Unmount, with_detach(*it), std::nullopt});
        }
    }

    std::vector<MountEntry> not_reused;
    for (const auto& e : desired) {
        if (!reused.count(key_of(e)))
            not_reused.push_back(e);
    }
    for (auto& e : mount_order(not_reused, fs)) {
        changes.push_back({Action::Mount, std::move(e), std::nullopt});
    }

    if (options.tuck)
        fold_replacements(changes);
    return changes;
}

}  // namespace nsr::reconcile
