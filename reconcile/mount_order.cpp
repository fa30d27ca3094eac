#include "reconcile/mount_order.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "base/path.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

using base::dir_less;
using base::parent_dir;
using profile::EntryKind;
using profile::MountEntry;
using profile::Origin;

namespace {

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

}  // namespace

std::vector<size_t> order_by_overname_and_dir(const std::vector<MountEntry>& v) {
    return order_by_rank_and_dir(
        v, [](const MountEntry& e) { return profile::origin(e) == Origin::Overname ? 0 : 1; });
}

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

std::vector<size_t> order_by_origin_and_dir(const std::vector<MountEntry>& v) {
    return order_by_rank_and_dir(v, origin_rank);
}

}  // namespace nsr::reconcile
