#include "reconcile/visible_mounts.hpp"

namespace nsr::reconcile {

using mountinfo::Mount;
using mountinfo::MountTable;

const Mount* visible_at(const MountTable& table, std::string_view dir) {
    const Mount* m = table.containing(dir);
    return (m && m->mount_point == dir) ? m : nullptr;
}

std::vector<const Mount*> visible_stack(const MountTable& table, std::string_view dir) {
    std::vector<const Mount*> out;
    // Bounded by the table's size, so that a parent cycle cannot hang it.
    const size_t limit = table.mounts().size();
    for (const Mount* m = visible_at(table, dir); m && m->mount_point == dir && out.size() < limit;
         m = table.by_id(m->parent_id)) {
        out.push_back(m);
        if (m->parent_id == m->id)
            break;
    }
    return out;
}

}  // namespace nsr::reconcile
