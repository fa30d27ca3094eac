#include "reconcile/mount_builder.hpp"

#include <sys/mount.h>

#include "base/fd.hpp"
#include "base/path.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::Fd;

mountinfo::Mount bind_proto(MountView& view, const std::string& src, bool read_only) {
    mountinfo::Mount m;
    if (auto r = view.resolve(src)) {
        m.root = r->path_in_fs;
        m.fstype = r->mount.fstype;
        m.source = r->mount.source;
        m.super_options = r->mount.super_options;
        read_only = read_only || r->mount.read_only();
    }
    m.mount_options = read_only ? "ro" : "rw";
    return m;
}

BuiltMount build_mount(ExecContext& ctx, const profile::MountEntry& e,
                       const profile::MountFlags& flags, const Fd* source) {
    const unsigned long attrs = flags.flags & ~(kPropagationFlags | MS_REC | MS_BIND);
    if (profile::is_bind(e)) {
        const std::string src = clean_path(e.name);
        Fd opened;
        if (!source)
            opened = ctx.sfs.open_path(src);
        Fd tree = ctx.ops.clone(source ? *source : opened, {attrs, profile::is_rbind(e), true});
        if (!ctx.view.wants_protos())
            return {std::move(tree), {}};
        return {std::move(tree), bind_proto(ctx.view, src, attrs & MS_RDONLY)};
    }
    Fd tree = ctx.ops.create(e.type, e.name, flags.data, {attrs, false});
    mountinfo::Mount m;
    m.root = "/";
    m.fstype = e.type;
    m.source = e.name;
    m.mount_options = (attrs & MS_RDONLY) ? "ro" : "rw";
    m.super_options = flags.data;
    return {std::move(tree), m};
}

}  // namespace nsr::reconcile
