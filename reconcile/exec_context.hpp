// What every step of the executor works with: the kernel, what is mounted
// where, the file facts, the places it may write to and its options. It
// holds no state of the run: the position in the plan and what was done
// with what travel as arguments.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "base/path.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/host_sources.hpp"
#include "reconcile/journal.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_ops.hpp"
#include "reconcile/mount_view.hpp"
#include "reconcile/pile.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/table_mount_view.hpp"
#include "reconcile/volatile_evidence.hpp"
#include "reconcile/volatile_reuse.hpp"

namespace nsr::reconcile {

struct ExecOptions {
    // No empty window: a replacement is attached beneath the old mount,
    // with the later mounts below it already on it; a mimic is built
    // detached and attached in one move; a tmpfs is detached with what is
    // in it rather than emptied first. False: snapd's order.
    bool tuck = true;
    // Owner of directories made for ensure-dir entries.
    uid_t uid = 0;
    gid_t gid = 0;
    // Debug log lines (the why of every fallback); may be empty.
    std::function<void(const std::string&)> debug;
    // A container's namespace (apply --pid): the bind copies and overlays
    // taken on the host before setns, used instead of opening sources here,
    // and the host's mount table, where bind sources are resolved.
    HostSources* host_sources = nullptr;
    const mountinfo::MountTable* source_table = nullptr;
    // Where the intents of multi-step changes and the paths created are
    // recorded, and which paths the tool created (reconcile/journal.hpp);
    // nullptr: a run that keeps no state.
    Journal* journal = nullptr;
    // The evidence of volatile overlays and the boot id, taken on the host
    // side; with them the run checks each overlay's upper/work pair
    // (reconcile/overlay_exec.hpp). None: overlays are mounted unchecked.
    VolatileStore* volatile_store = nullptr;
    std::string boot_id;
    // Where replaced mounts go instead of being detached one by one
    // (reconcile/pile.hpp); nullptr: each is detached on its own.
    Pile* pile = nullptr;
    // Whether a kept entry found in place says why (Outcome::detail);
    // false for a run that shows no outcome, which spares a line per
    // entry of a no-op.
    bool reasons = true;
};

struct ExecContext {
    ExecContext(Kernel& k, MountView& v, const FsView& f, Assumptions& a, const ExecOptions& o)
        : kernel(k), view(v), fs(f), assumptions(a), options(o), sfs(k), ops(k) {
        if (o.source_table)
            source_view.emplace(*o.source_table);
        if (o.journal && o.journal->found()) {
            for (const Claim& c : o.journal->claims()) {
                if (c.kind == Claim::Kind::Replace && c.entries.size() == 2)
                    replaces_claimed.insert(base::clean_path(c.entries[1].dir));
            }
        }
        if (o.volatile_store) {
            volatile_guard.emplace(
                k, sfs, *o.volatile_store, o.boot_id, [] { return std::time(nullptr); }, o.debug);
        }
    }

    // Whether an earlier run may have left a replacement half done at DIR
    // (the new mount beneath the old one): the journal of this namespace
    // claimed one there before every tuck and keeps the claim until it is
    // done; without that journal, any replacement may be.
    bool replace_may_be_half_done(const std::string& dir) const {
        return !options.journal || !options.journal->found() || replaces_claimed.count(dir) != 0;
    }

    // Detaches the run's pile first when PATH is at, above or below its
    // mount point: a change there could not be made while the pile is
    // there, and a mimic or an rbind of a directory holding it would copy
    // it beyond the reach of its flush. Throws what Pile::flush() throws.
    void flush_pile_near(std::string_view path) {
        if (options.pile && options.pile->near(path))
            options.pile->flush();
    }

    // Where bind sources are resolved: the host's table in a container
    // (nullptr: VIEW's namespace).
    MountView* sources() { return source_view ? &*source_view : nullptr; }

    void debug(const std::string& line) const {
        if (options.debug)
            options.debug(line);
    }

    Kernel& kernel;
    MountView& view;
    const FsView& fs;
    Assumptions& assumptions;
    const ExecOptions& options;
    SecureFs sfs;
    MountOps ops;
    std::optional<TableMountView> source_view;
    std::optional<VolatileGuard> volatile_guard;
    // The mount points of the journal's replacement claims.
    std::set<std::string> replaces_claimed;
};

}  // namespace nsr::reconcile
