// The indexes over a snapshot, the queries that walk the visible mount tree,
// and the updates that keep both current after the tool's own mounts.
#include "mountinfo/mount_table.hpp"

#include <algorithm>
#include <functional>
#include <iterator>

namespace nsr::mountinfo {

namespace {

constexpr std::string_view kRoot = "/";

size_t path_hash(std::string_view path) {
    return std::hash<std::string_view>{}(path);
}

template <typename Map, typename Key>
void erase_ids(Map& map, const Key& key, const std::unordered_set<long>& ids) {
    const auto it = map.find(key);
    if (it == map.end()) {
        return;
    }
    std::erase_if(it->second, [&](long id) { return ids.contains(id); });
    if (it->second.empty()) {
        map.erase(it);
    }
}

}  // namespace

size_t MountTable::ChildKeyHash::operator()(const ChildKey& k) const {
    return k.point_hash ^ (std::hash<long>{}(k.parent) * 0x9e3779b97f4a7c15ULL);
}

MountTable::MountTable(std::vector<Mount> mounts) : mounts_(std::move(mounts)) {
    index_all(nullptr);
}

void MountTable::index_all(const std::string* source) {
    by_id_.reserve(mounts_.size());
    by_point_hash_.reserve(mounts_.size());
    children_.reserve(mounts_.size());
    child_at_.reserve(mounts_.size());
    long lowest = 0;
    for (size_t pos = 0; pos < mounts_.size(); ++pos) {
        const Mount& m = mounts_[pos];
        if (!by_id_.emplace(m.id, pos).second) {
            const std::string what = "duplicate mount ID " + std::to_string(m.id);
            if (source != nullptr) {
                throw base::InputError(*source, static_cast<int>(pos + 1), what);
            }
            throw std::invalid_argument(what);
        }
        lowest = std::min(lowest, m.id);
        index(m);
    }
    next_synthetic_id_ = lowest - 1;
}

void MountTable::index(const Mount& m) {
    by_point_hash_[path_hash(m.mount_point)].push_back(m.id);
    link_child(m);
    by_dev_[m.dev()].push_back(m.id);
}

void MountTable::unindex(const std::unordered_set<long>& ids) {
    // Each affected key once: a subtree often shares one device.
    std::unordered_set<size_t> points;
    std::unordered_set<dev_t> devs;
    for (const long id : ids) {
        const Mount& m = at(id);
        points.insert(path_hash(m.mount_point));
        devs.insert(m.dev());
        // IDS is a whole subtree: every child of a removed mount is removed.
        if (const auto kids = children_.find(id); kids != children_.end()) {
            for (const long kid : kids->second) {
                child_at_.erase({id, path_hash(at(kid).mount_point)});
            }
            children_.erase(kids);
        }
    }
    for (const size_t point : points) {
        erase_ids(by_point_hash_, point, ids);
    }
    for (const dev_t dev : devs) {
        erase_ids(by_dev_, dev, ids);
    }
}

void MountTable::link_child(const Mount& m) {
    // The namespace root can list itself as its parent; linking it would
    // make it stacked on itself.
    if (m.parent_id != m.id) {
        children_[m.parent_id].push_back(m.id);
        child_at_[{m.parent_id, path_hash(m.mount_point)}].push_back(m.id);
    }
}

void MountTable::unlink_child(const Mount& m) {
    const std::unordered_set<long> ids{m.id};
    erase_ids(children_, m.parent_id, ids);
    erase_ids(child_at_, ChildKey{m.parent_id, path_hash(m.mount_point)}, ids);
}

std::vector<long> MountTable::children_at(long parent, std::string_view point) const {
    std::vector<long> found;
    if (const auto it = child_at_.find({parent, path_hash(point)}); it != child_at_.end()) {
        for (const long id : it->second) {
            if (at(id).mount_point == point) {
                found.push_back(id);
            }
        }
    }
    return found;
}

const Mount* MountTable::child_at(long parent, std::string_view point) const {
    const auto it = child_at_.find({parent, path_hash(point)});
    if (it == child_at_.end()) {
        return nullptr;
    }
    for (auto id = it->second.rbegin(); id != it->second.rend(); ++id) {
        if (const Mount& m = at(*id); m.mount_point == point) {
            return &m;
        }
    }
    return nullptr;
}

long MountTable::top_of_stack(long id) const {
    // Bounded so that a table with a parent cycle cannot hang a query.
    for (size_t steps = 0; steps < mounts_.size(); ++steps) {
        const Mount* above = child_at(id, at(id).mount_point);
        if (above == nullptr) {
            break;
        }
        id = above->id;
    }
    return id;
}

const Mount* MountTable::root_mount() const {
    const auto at_root = by_point_hash_.find(path_hash(kRoot));
    if (at_root == by_point_hash_.end()) {
        return nullptr;
    }
    // The bottom of the stack at "/" has a parent that is not at "/": itself,
    // or (after pivot_root or in a container) a mount outside the table.
    const Mount* first = nullptr;
    for (const long id : at_root->second) {
        const Mount& m = at(id);
        if (m.mount_point != kRoot) {
            continue;
        }
        const Mount* parent = by_id(m.parent_id);
        if (m.parent_id == id || parent == nullptr || parent->mount_point != kRoot) {
            return &at(top_of_stack(id));
        }
        if (first == nullptr) {
            first = &m;
        }
    }
    return first;
}

const Mount* MountTable::by_id(long id) const {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &mounts_[it->second];
}

std::vector<const Mount*> MountTable::stack_at(std::string_view dir) const {
    std::vector<long> ids;
    if (const auto it = by_point_hash_.find(path_hash(dir)); it != by_point_hash_.end()) {
        std::copy_if(it->second.begin(), it->second.end(), std::back_inserter(ids),
                     [&](long id) { return at(id).mount_point == dir; });
    }
    if (ids.empty()) {
        return {};
    }
    std::vector<const Mount*> stack;
    std::unordered_set<long> placed;
    const auto push_chain = [&](long id) {
        while (!placed.contains(id)) {
            const Mount* m = by_id(id);
            if (m == nullptr || m->mount_point != dir) {
                break;
            }
            stack.push_back(m);
            placed.insert(id);
            id = m->parent_id;
        }
    };
    if (const Mount* visible = containing(dir); visible != nullptr && visible->mount_point == dir) {
        push_chain(visible->id);
    }
    for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
        if (!placed.contains(*id) && child_at(*id, dir) == nullptr) {
            push_chain(*id);
        }
    }
    // Only a parent cycle leaves mounts out of every chain.
    for (const long id : ids) {
        if (!placed.contains(id)) {
            stack.push_back(&at(id));
        }
    }
    return stack;
}

const Mount* MountTable::top_at(std::string_view dir) const {
    const std::vector<const Mount*> stack = stack_at(dir);
    return stack.empty() ? nullptr : stack.front();
}

std::vector<const Mount*> MountTable::children_of(long id) const {
    std::vector<const Mount*> kids;
    if (const auto it = children_.find(id); it != children_.end()) {
        for (const long kid : it->second) {
            kids.push_back(&at(kid));
        }
    }
    // Mounting beneath re-links a child, which puts it out of list order.
    std::sort(kids.begin(), kids.end());
    return kids;
}

std::vector<const Mount*> MountTable::by_device(dev_t dev) const {
    std::vector<const Mount*> found;
    if (const auto it = by_dev_.find(dev); it != by_dev_.end()) {
        for (const long id : it->second) {
            found.push_back(&at(id));
        }
    }
    return found;
}

const Mount* MountTable::containing(std::string_view path) const {
    if (path.empty() || path.front() != '/') {
        return nullptr;
    }
    const Mount* current = root_mount();
    size_t end = 0;
    while (current != nullptr && end != std::string_view::npos) {
        end = path.find('/', end + 1);
        const std::string_view prefix = path.substr(0, end);
        if (prefix == kRoot) {
            continue;
        }
        if (const Mount* child = child_at(current->id, prefix)) {
            current = &at(top_of_stack(child->id));
        }
    }
    return current;
}

std::optional<MountTable::Resolved> MountTable::resolve(std::string_view path) const {
    const Mount* m = containing(path);
    if (m == nullptr) {
        return std::nullopt;
    }
    std::string_view rest = path.substr(m->mount_point == kRoot ? 0 : m->mount_point.size());
    if (rest.starts_with('/')) {
        rest.remove_prefix(1);
    }
    return Resolved{m, join_path(m->root, rest)};
}

long MountTable::add(Mount m, bool beneath) {
    const bool synthetic = m.id == 0;
    if (synthetic) {
        m.id = next_synthetic_id_;
    } else if (by_id_.contains(m.id)) {
        throw std::invalid_argument("mount ID " + std::to_string(m.id) +
                                    " is already in the table");
    }
    const Mount* holder = containing(m.mount_point);
    const bool on_point = holder != nullptr && holder->mount_point == m.mount_point;
    if (beneath) {
        if (!on_point || holder == root_mount()) {
            throw std::invalid_argument("cannot mount beneath " + m.mount_point +
                                        ": no mount there other than the root");
        }
        Mount& top = mounts_[by_id_.at(holder->id)];
        m.parent_id = top.parent_id;
        unlink_child(top);
        top.parent_id = m.id;
        link_child(top);
    } else if (on_point || (m.parent_id == 0 && holder != nullptr)) {
        m.parent_id = holder->id;
    }
    if (synthetic) {
        --next_synthetic_id_;
    }
    mounts_.push_back(std::move(m));
    const Mount& added = mounts_.back();
    by_id_.emplace(added.id, mounts_.size() - 1);
    index(added);
    return added.id;
}

void MountTable::remove(long id) {
    const auto found = by_id_.find(id);
    if (found == by_id_.end()) {
        throw std::out_of_range("no mount with ID " + std::to_string(id));
    }
    const Mount& victim = mounts_[found->second];
    for (const long topper_id : children_at(id, victim.mount_point)) {
        Mount& topper = mounts_[by_id_.at(topper_id)];
        unlink_child(topper);
        topper.parent_id = victim.parent_id;
        if (victim.parent_id != id) {
            link_child(topper);
        }
    }
    unlink_child(victim);

    std::unordered_set<long> doomed{id};
    std::vector<long> pending{id};
    while (!pending.empty()) {
        const long parent = pending.back();
        pending.pop_back();
        for (const Mount* kid : children_of(parent)) {
            if (doomed.insert(kid->id).second) {
                pending.push_back(kid->id);
            }
        }
    }
    unindex(doomed);

    // The records stay where they are, unreachable, until enough of them
    // are gone to be worth one pass: erasing them at once would move every
    // later record, for every removal.
    dead_.resize(mounts_.size());
    for (const long gone : doomed) {
        dead_[by_id_.at(gone)] = true;
        by_id_.erase(gone);
    }
    dead_count_ += doomed.size();
    if (dead_count_ > 64 && 2 * dead_count_ > mounts_.size()) {
        compact();
    }
}

void MountTable::compact() const {
    if (dead_count_ == 0) {
        return;
    }
    size_t kept = 0;
    for (size_t pos = 0; pos < mounts_.size(); ++pos) {
        if (pos < dead_.size() && dead_[pos]) {
            continue;
        }
        if (kept != pos) {
            mounts_[kept] = std::move(mounts_[pos]);
        }
        by_id_[mounts_[kept].id] = kept;
        ++kept;
    }
    mounts_.resize(kept);
    dead_.clear();
    dead_count_ = 0;
}

std::string join_path(std::string_view root, std::string_view rest) {
    std::string joined(root.empty() ? kRoot : root);
    if (rest.empty()) {
        return joined;
    }
    if (!joined.ends_with('/')) {
        joined += '/';
    }
    joined += rest;
    return joined;
}

}  // namespace nsr::mountinfo
