#include "reconcile/copy_dependents.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "base/path.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/change.hpp"
#include "reconcile/mount_order.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::parent_dir;
using profile::MountEntry;

namespace {

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
    for (const auto& [mimic_dir, at] : mimic_at) {
        // A named copy: clang 14 cannot capture a structured binding.
        const std::string_view dir = mimic_dir;
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

}  // namespace

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

}  // namespace nsr::reconcile
