#include "reconcile/table_update.hpp"

#include <sys/sysmacros.h>

#include "base/fd.hpp"
#include "reconcile/visible_mounts.hpp"

namespace nsr::reconcile {

using base::Fd;

void record_mount(Kernel& kernel, mountinfo::MountTable& table, const Fd& mount_fd,
                  mountinfo::Mount proto, bool beneath) {
    // Where the kernel does not tell the id, 0 lets the table make one up.
    long id = 0;
    proto.id = kernel.mount_id(mount_fd.get(), id) == 0 ? id : 0;
    struct stat st {};
    if (kernel.fstatat(mount_fd.get(), "", &st, AT_EMPTY_PATH) == 0) {
        proto.major = major(st.st_dev);
        proto.minor = minor(st.st_dev);
    }
    table.add(std::move(proto), beneath);
}

void record_detach(mountinfo::MountTable& table, const std::string& dir) {
    if (const mountinfo::Mount* m = visible_at(table, dir))
        table.remove(m->id);
}

mountinfo::Mount bind_proto(const mountinfo::MountTable& table, const std::string& src,
                            bool read_only) {
    mountinfo::Mount m;
    auto r = table.resolve(src);
    if (r) {
        m.root = r->path_in_fs;
        m.fstype = r->mount->fstype;
        m.source = r->mount->source;
        m.super_options = r->mount->super_options;
        read_only = read_only || r->mount->read_only();
    }
    m.mount_options = read_only ? "ro" : "rw";
    return m;
}

}  // namespace nsr::reconcile
