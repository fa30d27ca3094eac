// The indexes over a snapshot, the queries that walk the visible mount tree,
// and the updates that keep both current after the tool's own mounts.
#include "mountinfo/mount_table.hpp"

#include <algorithm>
#include <set>

namespace nsr::mountinfo {

namespace {

constexpr std::string_view kRoot = "/";

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

MountTable::MountTable(std::vector<Mount> mounts) : mounts_(std::move(mounts)) {
    index_all(nullptr);
}

void MountTable::index_all(const std::string* source) {
    by_id_.reserve(mounts_.size());
    long lowest = 0;
    for (size_t pos = 0; pos < mounts_.size(); ++pos) {
        const Mount& m = mounts_[pos];
        if (!by_id_.emplace(m.id, pos).second) {
            const std::string what = "duplicate mount ID " + std::to_string(m.id);
            if (source != nullptr) {
                throw ParseError(*source + ":" + std::to_string(pos + 1) + ": " + what);
            }
            throw std::invalid_argument(what);
        }
        lowest = std::min(lowest, m.id);
        index(m);
    }
    next_synthetic_id_ = lowest - 1;
}

void MountTable::index(const Mount& m) {
    by_mount_point_.try_emplace(m.mount_point).first->second.push_back(m.id);
    link_child(m.parent_id, m.mount_point, m.id);
    by_dev_[m.dev()].push_back(m.id);
}

void MountTable::unindex(const std::unordered_set<long>& ids) {
    // Each affected key once: a subtree often shares one device.
    std::set<std::string_view> points;
    std::set<dev_t> devs;
    for (const long id : ids) {
        const Mount& m = at(id);
        points.insert(m.mount_point);
        devs.insert(m.dev());
        children_.erase(id);
    }
    for (const std::string_view point : points) {
        erase_ids(by_mount_point_, point, ids);
    }
    for (const dev_t dev : devs) {
        erase_ids(by_dev_, dev, ids);
    }
}

void MountTable::link_child(long parent, const std::string& point, long id) {
    // The namespace root can list itself as its parent; linking it would
    // make it stacked on itself.
    if (parent != id) {
        children_[parent].try_emplace(point).first->second.push_back(id);
    }
}

void MountTable::unlink_child(long parent, std::string_view point, long id) {
    const auto kids = children_.find(parent);
    if (kids == children_.end()) {
        return;
    }
    erase_ids(kids->second, point, {id});
    if (kids->second.empty()) {
        children_.erase(kids);
    }
}

const std::vector<long>* MountTable::children_at(long parent, std::string_view point) const {
    const auto kids = children_.find(parent);
    if (kids == children_.end()) {
        return nullptr;
    }
    const auto at_point = kids->second.find(point);
    return at_point == kids->second.end() ? nullptr : &at_point->second;
}

long MountTable::top_of_stack(long id) const {
    // Bounded so that a table with a parent cycle cannot hang a query.
    for (size_t steps = 0; steps < mounts_.size(); ++steps) {
        const std::vector<long>* above = children_at(id, at(id).mount_point);
        if (above == nullptr) {
            break;
        }
        id = above->back();
    }
    return id;
}

const Mount* MountTable::root_mount() const {
    const auto at_root = by_mount_point_.find(kRoot);
    if (at_root == by_mount_point_.end()) {
        return nullptr;
    }
    // The bottom of the stack at "/" has a parent that is not at "/": itself,
    // or (after pivot_root or in a container) a mount outside the table.
    for (const long id : at_root->second) {
        const Mount& m = at(id);
        const auto parent = by_id_.find(m.parent_id);
        if (m.parent_id == id || parent == by_id_.end() ||
            mounts_[parent->second].mount_point != kRoot) {
            return &at(top_of_stack(id));
        }
    }
    return &at(at_root->second.front());
}

const Mount* MountTable::by_id(long id) const {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &mounts_[it->second];
}

std::vector<const Mount*> MountTable::stack_at(std::string_view dir) const {
    const auto at_dir = by_mount_point_.find(dir);
    if (at_dir == by_mount_point_.end()) {
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
    const std::vector<long>& ids = at_dir->second;
    for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
        if (!placed.contains(*id) && children_at(*id, dir) == nullptr) {
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
        for (const auto& [point, ids] : it->second) {
            for (const long kid : ids) {
                kids.push_back(&at(kid));
            }
        }
    }
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
        if (const std::vector<long>* kids = children_at(current->id, prefix)) {
            current = &at(top_of_stack(kids->back()));
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
        unlink_child(top.parent_id, top.mount_point, top.id);
        top.parent_id = m.id;
        link_child(m.id, top.mount_point, top.id);
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
    const long new_parent = victim.parent_id;
    if (const std::vector<long>* toppers = children_at(id, victim.mount_point)) {
        for (const long topper_id : std::vector<long>(*toppers)) {
            Mount& topper = mounts_[by_id_.at(topper_id)];
            unlink_child(id, topper.mount_point, topper_id);
            topper.parent_id = new_parent;
            if (new_parent != id) {
                link_child(new_parent, topper.mount_point, topper_id);
            }
        }
    }
    unlink_child(new_parent, victim.mount_point, id);

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

    size_t first = mounts_.size();
    for (const long gone : doomed) {
        first = std::min(first, by_id_.at(gone));
        by_id_.erase(gone);
    }
    std::erase_if(mounts_, [&](const Mount& m) { return doomed.contains(m.id); });
    for (size_t pos = first; pos < mounts_.size(); ++pos) {
        by_id_[mounts_[pos].id] = pos;
    }
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
