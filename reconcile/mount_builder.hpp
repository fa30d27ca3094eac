// Building an entry's mount detached, with its flags already applied, so
// that it is never visible half-made; and what a mount table should say
// about it once it is attached.
#pragma once

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/flags.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/exec_context.hpp"

namespace nsr::reconcile {

struct BuiltMount {
    base::Fd tree;  // the detached mount (tree, for rbind)
    // Its record for MountView::record_mount (only the fields the view wants);
    // the mount point is left to the caller.
    mountinfo::Mount proto;
};

// E's mount with FLAGS (options_to_flags of its options): a clone of its
// source for a bind (opened with the walk rules), a new filesystem
// otherwise. A bind gets exactly the access flags its entry names, as
// snapd's read-only remount leaves it; none named: its source's. Throws
// std::system_error naming the step.
// What a bind of SRC looks like in a mount table: SRC's filesystem, at SRC's
// path inside it, with its options (read-only when READ_ONLY or when SRC's
// mount is).
mountinfo::Mount bind_proto(MountView& view, const std::string& src, bool read_only);

// SOURCE, when given, is the bind's source already opened.
BuiltMount build_mount(ExecContext& ctx, const profile::MountEntry& e,
                       const profile::MountFlags& flags, const base::Fd* source = nullptr);

}  // namespace nsr::reconcile
