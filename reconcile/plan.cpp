#include "reconcile/plan.hpp"

#include <algorithm>
#include <functional>
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

namespace nsr::reconcile {

using base::clean_path;
using base::dir_less;
using base::parent_dir;
using profile::EntryKind;
using profile::MountEntry;
using profile::Origin;

namespace {

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
Key key_of(const MountEntry& e) {
    return {e.dir, e.type, profile::is_synthetic(e)};
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

// Sorts POS, positions in V, stably by (RANK, dir with snapd's slash
// rule). The ranks are computed once per entry: reading an option in the
// comparator would cost a lookup and an allocation per comparison.
template <typename Rank>
void sort_positions(const std::vector<MountEntry>& v, std::vector<size_t>& pos, Rank rank) {
    std::vector<std::pair<int, size_t>> keyed;
    keyed.reserve(pos.size());
    for (const size_t i : pos)
        keyed.emplace_back(rank(v[i]), i);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first)
            return a.first < b.first;
        return dir_less(v[a.second].dir, v[b.second].dir);
    });
    for (size_t k = 0; k < keyed.size(); ++k)
        pos[k] = keyed[k].second;
}

// The positions of V's entries, sorted by sort_positions().
template <typename Rank>
std::vector<size_t> order_by_rank_and_dir(const std::vector<MountEntry>& v, Rank rank) {
    std::vector<size_t> order(v.size());
    for (size_t i = 0; i < v.size(); ++i)
        order[i] = i;
    sort_positions(v, order, rank);
    return order;
}

// byOriginAndMountPoint: overname, then everything else, then layouts; by
// mount point within a rank. Stable, so ties keep their input order where
// snapd's unstable sort leaves them unspecified.
void sort_by_origin_and_dir(const std::vector<MountEntry>& v, std::vector<size_t>& pos) {
    sort_positions(v, pos, origin_rank);
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

// The directories where a desired mount is not in the current profile:
// something new will be mounted there. Views of DESIRED's dirs.
std::unordered_set<std::string_view> dirs_of_new_mounts(const std::vector<MountEntry>& current,
                                                        const std::vector<MountEntry>& desired) {
    std::unordered_map<std::string_view, std::vector<const MountEntry*>> current_at;
    for (const auto& e : current)
        current_at[e.dir].push_back(&e);
    std::unordered_set<std::string_view> dirs;
    for (const auto& d : desired) {
        if (!is_mount_kind(d))
            continue;
        const auto it = current_at.find(d.dir);
        const bool present =
            it != current_at.end() && std::any_of(it->second.begin(), it->second.end(),
                                                  [&](const MountEntry* c) { return *c == d; });
        if (!present)
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
    std::string_view skip_dir;
    std::string skip_prefix;
    for (const size_t i : order_by_overname_and_dir(current)) {
        const MountEntry& e = current[i];
        if (!skip_prefix.empty() && (e.dir == skip_dir || e.dir.starts_with(skip_prefix)))
            continue;
        skip_dir = {};
        skip_prefix.clear();
        const bool may_reuse = !forced.count(key_of(e));
        if (may_reuse && profile::origin(e) == Origin::Rootfs) {
            reused.insert(key_of(e));
            continue;
        }
        if (may_reuse && profile::is_synthetic(e) && !new_mount_dirs.count(e.dir)) {
            auto owner = profile::needed_by(e);
            if (owner && desired_ids.count(*owner)) {
                reused.insert(key_of(e));
                continue;
            }
        }
        auto it = desired_by_dir.find(e.dir);
        if (may_reuse && it != desired_by_dir.end() && *it->second == e) {
            reused.insert(key_of(e));
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
// NOT_REUSED holds positions in V; the result too, in mount order. V is
// only read (the dirs are kept as views).
std::vector<size_t> mount_order(const std::vector<MountEntry>& v,
                                const std::vector<size_t>& not_reused, const FsView& fs) {
    std::unordered_set<std::string_view> added;
    std::vector<size_t> independent;
    std::map<std::string, std::vector<size_t>> by_mimic;
    // An overname entry goes first; whatever else has its dir comes too
    // late to be added.
    std::vector<bool> taken(not_reused.size(), false);
    for (size_t k = 0; k < not_reused.size(); ++k) {
        const MountEntry& e = v[not_reused[k]];
        if (profile::origin(e) == Origin::Overname && added.insert(e.dir).second) {
            independent.push_back(not_reused[k]);
            taken[k] = true;
        }
    }
    for (size_t k = 0; k < not_reused.size(); ++k) {
        const MountEntry& e = v[not_reused[k]];
        if (taken[k])
            continue;
        if (target_exists(e, fs)) {
            if (added.insert(e.dir).second)
                independent.push_back(not_reused[k]);
        } else {
            by_mimic[nearest_existing_dir(parent_dir(e.dir), fs)].push_back(not_reused[k]);
        }
    }
    std::vector<size_t> need_mimic;
    for (auto& [mimic_dir, group] : by_mimic) {
        sort_by_origin_and_dir(v, group);
        for (const size_t i : group) {
            if (added.insert(v[i].dir).second)
                need_mimic.push_back(i);
        }
    }
    sort_by_origin_and_dir(v, independent);
    independent.insert(independent.end(), need_mimic.begin(), need_mimic.end());
    return independent;
}

// A position no entry has: not in the order.
constexpr size_t kNever = static_cast<size_t>(-1);

// The kept mimics (the dirs of KEPT_MIMICS, views of CURRENT's strings)
// whose copy is stale: a mount below the directory whose mount point
// exists, which a fresh apply makes before the mimic (R8.2) and so copies
// into a bind-back, is added or changed, or goes away (a current one
// whose mount point exists was made before it). Made while the mimic
// stays, a new one would replace the bind-back at its dir rather than lie
// under it, and a gone one would take the bind-back along. POS: each
// desired entry's position in a fresh apply's order.
std::vector<std::string_view> stale_kept_mimics(
    const std::vector<MountEntry>& current, const std::vector<bool>& keep_current,
    const std::vector<MountEntry>& desired, const std::vector<bool>& keep_desired,
    const std::vector<size_t>& pos, const std::unordered_set<std::string_view>& kept_mimics,
    const FsView& fs) {
    // A fresh apply makes each mimic for the first entry that needs it.
    std::unordered_map<std::string_view, size_t> mimic_at;
    for (size_t j = 0; j < desired.size() && !kept_mimics.empty(); ++j) {
        if (pos[j] == kNever || target_exists(desired[j], fs))
            continue;
        const auto mimic = kept_mimics.find(nearest_existing_dir(parent_dir(desired[j].dir), fs));
        if (mimic != kept_mimics.end()) {
            auto [it, added] = mimic_at.emplace(*mimic, pos[j]);
            it->second = std::min(it->second, pos[j]);
        }
    }
    std::vector<std::string_view> stale;
    for (const auto& [dir, at] : mimic_at) {
        auto changed_below = [&](const MountEntry& e, bool kept) {
            return !kept && !profile::is_synthetic(e) && is_mount_kind(e) &&
                   base::is_within(e.dir, dir);
        };
        bool copied = false;
        for (size_t j = 0; j < desired.size() && !copied; ++j)
            copied = changed_below(desired[j], keep_desired[j]) && pos[j] < at;
        for (size_t j = 0; j < current.size() && !copied; ++j)
            copied = changed_below(current[j], keep_current[j]) && target_exists(current[j], fs);
        if (copied)
            stale.push_back(dir);
    }
    return stale;
}

// The kept entries a run must unmount and mount again so that the
// namespace ends as a fresh apply of DESIRED leaves it. Two changes copy
// what is mounted below a directory at the moment they are made:
// - an rbind copies what is mounted at and below its source;
// - a mimic binds back the entries of the directory it covers recursively,
//   with what is mounted below them; a desired mount point that is missing
//   may need one over the nearest existing directory above it (R8.3), the
//   same directory a fresh apply would find (FS is the fresh namespace's
//   view, PristineFsView).
// A fresh apply makes such a change in ORDER (mount_order() of all of
// DESIRED): it copies the entries made before it, not those made after.
// When a run makes it, the kept entries below its directory that a fresh
// apply makes after it (desired entries by their own position, a mimic's
// synthetic entries by their owner's) are returned: they come down before
// it and are mounted again after it. Only mimics (synthetic entries) count
// below a new mimic's directory: other entries there either need the same
// mimic, so they are not in place without it, or lie in a writable
// directory, where no mimic is made. Keys are views of the entries'
// strings.
KeySet copy_dependents(const std::vector<MountEntry>& current,
                       const std::vector<bool>& keep_current,
                       const std::vector<MountEntry>& desired,
                       const std::vector<bool>& keep_desired, const std::vector<size_t>& order,
                       const FsView& fs) {
    std::vector<size_t> pos(desired.size(), kNever);
    for (size_t k = 0; k < order.size(); ++k)
        pos[order[k]] = k;
    std::unordered_map<std::string, size_t> pos_of_id;
    std::unordered_set<std::string_view> kept_mimics;
    for (size_t i = 0; i < current.size(); ++i) {
        if (keep_current[i] && profile::is_synthetic(current[i]) && current[i].type == "tmpfs")
            kept_mimics.insert(current[i].dir);
    }
    struct Copier {
        std::string dir;
        size_t pos;
        bool mimic;
    };
    std::vector<Copier> copiers;
    // The first entry that may need each mimic: the one it would be made for.
    std::map<std::string, size_t> mimics;
    for (size_t i = 0; i < desired.size(); ++i) {
        const MountEntry& e = desired[i];
        if (keep_desired[i] || pos[i] == kNever)
            continue;
        if (is_mount_kind(e) && profile::is_rbind(e))
            copiers.push_back({clean_path(e.name), pos[i], false});
        if (!target_exists(e, fs)) {
            std::string mimic_dir = nearest_existing_dir(parent_dir(e.dir), fs);
            if (!kept_mimics.count(mimic_dir)) {
                auto [it, added] = mimics.emplace(std::move(mimic_dir), pos[i]);
                it->second = std::min(it->second, pos[i]);
            }
        }
    }
    for (auto& [dir, at] : mimics)
        copiers.push_back({dir, at, true});
    KeySet dependents;
    // A kept rbind whose copy is stale: something at or below its source
    // changes that a fresh apply makes before it (and so copies), or goes
    // away (which it may have copied; its copy stays).
    for (size_t i = 0; i < desired.size(); ++i) {
        const MountEntry& e = desired[i];
        if (!keep_desired[i] || !is_mount_kind(e) || !profile::is_rbind(e))
            continue;
        const std::string src = clean_path(e.name);
        bool stale = false;
        for (size_t j = 0; j < desired.size() && !stale; ++j) {
            stale = !keep_desired[j] && is_mount_kind(desired[j]) && pos[j] < pos[i] &&
                    base::is_within(desired[j].dir, src);
        }
        for (size_t j = 0; j < current.size() && !stale; ++j)
            stale = !keep_current[j] && base::is_within(current[j].dir, src);
        if (stale)
            dependents.insert(key_of(e));
    }
    for (const std::string_view dir :
         stale_kept_mimics(current, keep_current, desired, keep_desired, pos, kept_mimics, fs))
        dependents.insert({dir, "tmpfs", true});
    if (copiers.empty())
        return dependents;
    for (size_t i = 0; i < desired.size(); ++i)
        pos_of_id.emplace(profile::entry_id(desired[i]), pos[i]);
    auto copied_late = [&](const MountEntry& e, size_t at, bool synthetic) {
        for (const Copier& c : copiers) {
            const bool below = c.mimic
                                   ? synthetic && e.dir != c.dir && base::is_within(e.dir, c.dir)
                                   : base::is_within(e.dir, c.dir);
            if (below && at != kNever && at > c.pos)
                return true;
        }
        return false;
    };
    for (size_t i = 0; i < desired.size(); ++i) {
        if (keep_desired[i] && is_mount_kind(desired[i]) && copied_late(desired[i], pos[i], false))
            dependents.insert(key_of(desired[i]));
    }
    for (size_t i = 0; i < current.size(); ++i) {
        const MountEntry& e = current[i];
        if (!keep_current[i] || !profile::is_synthetic(e))
            continue;
        const auto owner = profile::needed_by(e);
        const auto it = owner ? pos_of_id.find(*owner) : pos_of_id.end();
        if (it != pos_of_id.end() && copied_late(e, it->second, true))
            dependents.insert(key_of(e));
    }
    return dependents;
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
    const std::vector<size_t> desired_order = order_by_rank_and_dir(desired, origin_rank);

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
