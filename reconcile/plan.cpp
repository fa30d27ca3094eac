#include "reconcile/plan.hpp"

#include <algorithm>
#include <cstdint>
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
    if (hosts_mounts && !profile::is_detach(e)) {
        // Room for one more, not the doubling push_back would make: the
        // entries of every unmount and replace live to the end of the run.
        e.options.reserve(e.options.size() + 1);
        e.options.push_back("x-snapd.detach");
    }
    return e;
}

// One change before any entry moves into it: what to do with the entry at
// INDEX of the current profile (Keep, Unmount) or of the desired one
// (Mount). The folds are decided on these, so that the changes are built
// once, at their final number, instead of one per entry of both profiles
// and then folded (a Change is as large as an entry, and the profiles are
// still whole while the changes are built). A profile holds far fewer than
// 2^32 entries (its file is at most profile::kMaxProfileBytes).
struct Step {
    Action action;
    uint32_t index;
};

// The entries steps refer to.
struct Entries {
    const std::vector<MountEntry>& current;
    const std::vector<MountEntry>& desired;
    const MountEntry& operator()(const Step& s) const {
        return s.action == Action::Mount ? desired[s.index] : current[s.index];
    }
};

// A fold: the unmount at step UNMOUNT goes with the mount at step MOUNT,
// as the old entry of a Replace there, or (BESIDE) as an Unmount right
// before it.
struct Fold {
    uint32_t mount;
    uint32_t unmount;
    bool beside;
};

// The parent of a clean DIR, as base::parent_dir() gives it, viewed.
std::string_view parent_view(std::string_view dir) {
    const size_t slash = dir.rfind('/');
    if (slash == std::string_view::npos)
        return ".";
    return dir.substr(0, slash == 0 ? 1 : slash);
}

// The rbinds STEPS mount: (step, clean source).
std::vector<std::pair<size_t, std::string>> rbind_mounts(const std::vector<Step>& steps,
                                                         const Entries& entry) {
    std::vector<std::pair<size_t, std::string>> out;
    for (size_t j = 0; j < steps.size(); ++j) {
        if (steps[j].action != Action::Mount)
            continue;
        const MountEntry& e = entry(steps[j]);
        if (is_mount_kind(e) && profile::is_rbind(e))
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

// Which "unmount X at DIR ... mount Y at DIR" of STEPS fold into one
// Replace at the mount's position: those where X is the only thing
// unmounted at DIR, so that the new mount can be attached beneath the old
// one instead of after a gap. X must not sit under another mount that
// comes down: it has to be unmounted before that one, which would
// otherwise take it along. Nor may an rbind mounted in between copy DIR
// (H2): X must be gone first. Two overlays that share an upperdir or a
// workdir cannot both be live, so Y cannot go beneath X: X's unmount moves
// instead to right before Y's mount (BESIDE), and the gap is only as long
// as the two take. In the order of the mounts.
std::vector<Fold> fold_replacements(const std::vector<Step>& steps, const Entries& entry) {
    // What comes down at each dir (views of the entries' dirs): how many
    // unmounts, whether one is a mount kind, and the step of the last.
    struct Down {
        uint32_t count = 0;
        bool real = false;
        size_t step = 0;
    };
    std::unordered_map<std::string_view, Down> down;
    down.reserve(static_cast<size_t>(std::count_if(
        steps.begin(), steps.end(), [](const Step& s) { return s.action == Action::Unmount; })));
    for (size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].action != Action::Unmount)
            continue;
        const MountEntry& e = entry(steps[i]);
        Down& d = down[e.dir];
        ++d.count;
        d.real = d.real || is_mount_kind(e);
        d.step = i;
    }
    auto under_real_unmount = [&](std::string_view dir) {
        while (dir != "/" && dir != ".") {
            dir = parent_view(dir);
            if (auto it = down.find(dir); it != down.end() && it->second.real)
                return true;
        }
        return false;
    };
    std::vector<Fold> folds;
    // At most one a dir, of those coming down.
    folds.reserve(down.size());
    std::vector<bool> taken(steps.size(), false);
    const auto rbinds = rbind_mounts(steps, entry);
    for (size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].action != Action::Mount)
            continue;
        const MountEntry& e = entry(steps[i]);
        if (!is_mount_kind(e))
            continue;
        // One unmount there, of a mount kind (real, with a count of one).
        auto it = down.find(e.dir);
        if (it == down.end() || it->second.count != 1 || !it->second.real)
            continue;
        const size_t u = it->second.step;
        if (taken[u] || under_real_unmount(e.dir) || copied_between(rbinds, e.dir, u, i))
            continue;
        taken[u] = true;
        folds.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(u),
                         profile::overlay_entries_share_pair(entry(steps[u]), e)});
    }
    return folds;
}

// Keeps of DESIRED only the entries STEPS mount (a kept entry, or one of
// several at a dir, is never used again) and renumbers those steps. The
// vector itself goes, for one of the right size, when that frees at least
// half of it: a no-op mounts nothing.
void keep_only_mounted(std::vector<MountEntry>& desired, std::vector<Step>& steps) {
    constexpr uint32_t kUnused = UINT32_MAX;
    std::vector<uint32_t> renumbered(desired.size(), kUnused);
    for (const Step& s : steps) {
        if (s.action == Action::Mount)
            renumbered[s.index] = 0;
    }
    uint32_t kept = 0;
    for (size_t i = 0; i < desired.size(); ++i) {
        if (renumbered[i] == kUnused)
            continue;
        // Not onto itself: a string moved onto itself is left empty.
        if (kept != i)
            desired[kept] = std::move(desired[i]);
        renumbered[i] = kept++;
    }
    if (kept == desired.size())
        return;
    for (Step& s : steps) {
        if (s.action == Action::Mount)
            s.index = renumbered[s.index];
    }
    desired.erase(desired.begin() + kept, desired.end());
    if (kept <= desired.capacity() / 2)
        desired.shrink_to_fit();
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

    std::vector<Step> steps;
    steps.reserve(current.size() + desired.size());
    for (size_t i = current.size(); i-- > 0;) {
        steps.push_back(
            {keep_current[i] ? Action::Keep : Action::Unmount, static_cast<uint32_t>(i)});
    }
    {
        std::vector<size_t> not_reused;
        for (const size_t i : desired_order) {
            if (!keep_desired[i])
                not_reused.push_back(i);
        }
        for (const size_t i : mount_order(desired, not_reused, fs))
            steps.push_back({Action::Mount, static_cast<uint32_t>(i)});
    }
    std::vector<Fold> folds;
    if (options.tuck)
        folds = fold_replacements(steps, {current, desired});

    keep_only_mounted(desired, steps);

    // Folded unmounts leave their place; each fold beside a mount puts its
    // unmount back right before it.
    std::vector<bool> folded(steps.size(), false);
    size_t beside = 0;
    for (const Fold& f : folds) {
        folded[f.unmount] = true;
        beside += f.beside;
    }
    // VISIT(step, position of its change, its fold or nullptr) for each
    // step that has a change of its own, in order.
    auto place = [&](auto visit) {
        size_t at = 0;
        auto fold = folds.begin();
        for (size_t i = 0; i < steps.size(); ++i) {
            if (folded[i])
                continue;
            const Fold* f = nullptr;
            if (fold != folds.end() && fold->mount == i)
                f = &*fold++;
            at += f && f->beside;
            visit(steps[i], at++, f);
        }
    };
    // The desired entries move in first, so that their vector is gone
    // before the current ones' move in, which allocates (the old entries'
    // boxes, x-snapd.detach).
    std::vector<Change> changes(steps.size() - folds.size() + beside);
    place([&](const Step& s, size_t at, const Fold* f) {
        if (s.action != Action::Mount)
            return;
        changes[at].action = f && !f->beside ? Action::Replace : Action::Mount;
        changes[at].entry = std::move(desired[s.index]);
    });
    // Freed ("= {}" would only clear it).
    desired = std::vector<MountEntry>();
    place([&](const Step& s, size_t at, const Fold* f) {
        if (s.action == Action::Keep) {
            changes[at] = {Action::Keep, std::move(current[s.index]), std::nullopt};
        } else if (s.action == Action::Unmount) {
            changes[at] = {Action::Unmount, with_detach(std::move(current[s.index])), std::nullopt};
        } else if (f) {
            MountEntry old = with_detach(std::move(current[steps[f->unmount].index]));
            if (f->beside)
                changes[at - 1] = {Action::Unmount, std::move(old), std::nullopt};
            else
                changes[at].replaces = std::move(old);
        }
    });
    return changes;
}

}  // namespace nsr::reconcile
