#include "reconcile/mount_builder.hpp"

#include <sys/mount.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"
#include "profile/bind_flags.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/overlay_exec.hpp"

namespace nsr::reconcile {

using base::check_rc;
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
        // runc's rules for containers (x-nsr.top-flags, x-nsr.rro, ...):
        // profile/bind_flags.hpp.
        const MountAttrs mattrs{attrs, profile::is_rbind(e), true, profile::is_top_flags(e)};
        if (profile::is_rbind(e))
            ctx.flush_pile_near(src);
        Fd tree;
        if (ctx.options.host_sources) {
            tree = ctx.options.host_sources->take_bind(clean_path(e.dir));
            ctx.ops.set_attrs(tree, mattrs);
        } else {
            Fd opened;
            if (!source)
                opened = ctx.sfs.open_path(src);
            tree = ctx.ops.clone(source ? *source : opened, mattrs);
        }
        if (auto rec = profile::recursive_attrs(e); !rec.empty())
            check_rc(ctx.ops.set_tree_attrs(tree, rec.set, rec.clear),
                     "cannot set the recursive flags of the bind of \"" + src + "\"");
        if (!ctx.view.wants_protos())
            return {std::move(tree), {}};
        MountView& sources = ctx.sources() ? *ctx.sources() : ctx.view;
        return {std::move(tree), bind_proto(sources, src, attrs & MS_RDONLY)};
    }
    if (e.type == "overlay")
        return overlay_build_checked(ctx, e, attrs);
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
