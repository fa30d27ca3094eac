#include "reconcile/table_mount_view.hpp"
#include "base/fd.hpp"

#include <sys/sysmacros.h>

#include <stdexcept>

namespace nsr::reconcile {

using base::Fd;

using mountinfo::Mount;

TableMountView::TableMountView(const mountinfo::MountTable& table) : table_(table) {}

TableMountView::TableMountView(mountinfo::MountTable& table, Kernel& kernel)
    : table_(table), writable_(&table), kernel_(&kernel) {}

std::vector<Mount> TableMountView::stack_at(std::string_view dir) {
    std::vector<Mount> out;
    const Mount* m = table_.containing(dir);
    if (!m || m->mount_point != dir)
        return out;
    // Bounded by the table's size, so that a parent cycle cannot hang it.
    const size_t limit = table_.size();
    for (; m && m->mount_point == dir && out.size() < limit; m = table_.by_id(m->parent_id)) {
        out.push_back(*m);
        if (m->parent_id == m->id)
            break;
    }
    return out;
}

std::optional<MountedPath> TableMountView::resolve(std::string_view path) {
    auto r = table_.resolve(path);
    if (!r)
        return std::nullopt;
    return MountedPath{*r->mount, std::move(r->path_in_fs)};
}

std::optional<Mount> TableMountView::parent_of(const Mount& m) {
    const Mount* parent = m.parent_id == m.id ? nullptr : table_.by_id(m.parent_id);
    if (!parent)
        return std::nullopt;
    return *parent;
}

mountinfo::MountTable& TableMountView::writable() {
    if (!writable_)
        throw std::logic_error("a read-only mount table view cannot record changes");
    return *writable_;
}

void TableMountView::record_mount(const Fd& mount_fd, Mount proto, bool beneath) {
    mountinfo::MountTable& table = writable();
    // The table holds mountinfo's ids. Where the kernel does not tell the
    // id, 0 lets the table make one up.
    struct statx stx {};
    proto.id = 0;
    if (kernel_->statx(mount_fd.get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID,
                       &stx) == 0) {
        if (stx.stx_mask & STATX_MNT_ID)
            proto.id = static_cast<long>(stx.stx_mnt_id);
        proto.major = stx.stx_dev_major;
        proto.minor = stx.stx_dev_minor;
    }
    table.add(std::move(proto), beneath);
}

void TableMountView::record_detach(std::string_view dir) {
    mountinfo::MountTable& table = writable();
    const Mount* m = table.containing(dir);
    if (m && m->mount_point == dir)
        table.remove(m->id);
}

}  // namespace nsr::reconcile
