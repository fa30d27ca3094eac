// The diff: current profile + desired profile (+ file facts) -> ordered
// changes. Pure and deterministic.
//
// With tucking off it is snapd's diff (neededChanges in
// cmd/snap-update-ns/change.go, comparators in sorting.go), which comments,
// tests and fixtures/plan cite by these rule numbers:
//
// R1  Mount points are cleaned lexically before anything is compared.
// R2  Desired entries are sorted by origin (overname, then the rest, then
//     layout) and mount point, comparing paths as if each ended in "/".
// R3  Each desired mount point maps to one entry, the last one sorted.
// R4  The desired IDs are each entry's x-snapd.id, or its mount point.
// R5  Current entries, overname first then by mount point, are reused when:
//     (R5.3) their origin is rootfs; (R5.4) they are synthetic and what
//     they were made for (x-snapd.needed-by) is a desired ID; (R5.5) they
//     equal the desired entry at their mount point. Anything else is not
//     reused, and (R5.1) neither is anything below it in that order (an
//     overname child escapes, being sorted first); (R5.6) a changed "/"
//     takes everything with it.
// R6  Current entries, from the last logged to the first, are kept when
//     reused and unmounted otherwise; a tmpfs, bind or rbind unmount gains
//     x-snapd.detach.
// R7  A desired entry whose mount point and type were reused is not
//     mounted again (also when what was reused is a synthetic entry).
// R8  The rest is mounted once per mount point, the first entry sorted
//     winning: (R8.1) overname entries and (R8.2) entries whose mount point
//     already exists as their kind needs it (a directory through stat, a
//     file as anything, a symlink through lstat, other kinds always) come
//     first; (R8.3) the others are grouped by the nearest existing
//     directory above them, where the mimic would go, groups in plain
//     string order.
// R9  The first set is sorted as in R2.
// R10 The plan is R6's changes, then R9's mounts, then R8.3's groups.
//
// Beyond snapd, so that a run ends where a fresh apply of the desired
// profile does, whatever earlier runs left:
// H1  The mount order (R8) is decided on the file facts of a fresh
//     namespace: the caller passes a view without the paths nsreconcile
//     created (PristineFsView).
// H2  An rbind copies what is mounted at and below its source when it is
//     made, and a mimic what is mounted below its directory. When a run
//     makes one, the kept entries there that a fresh apply makes after it
//     are unmounted before it and mounted again after it (never folded
//     into a replace placed after it); a kept rbind is made again (a
//     replace by itself) when something it copied, or that a fresh apply
//     makes before it, changes below its source; a kept mimic, with what
//     is in it, is made again when a mount below its directory whose mount
//     point exists (made before it afresh, R8.2, and copied into a
//     bind-back) comes, changes or goes. A synthetic entry is keyed apart
//     from a mount of the same dir and type, so a kept bind-back never
//     keeps the mount it copied.
#pragma once

#include <vector>

#include "profile/mount_entry.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::reconcile {

struct PlanOptions {
    // Merge "unmount X at DIR ... mount Y at DIR" into one Replace placed
    // where the mount would be; when X and Y are overlays sharing an
    // upperdir or workdir, which cannot both be live, move X's unmount to
    // right before Y's mount instead. false gives snapd's plan exactly.
    bool tuck = true;
};

// The profiles are taken by value: their entries move into the changes
// (callers that keep theirs pass copies). FS: the file facts the mounts are
// ordered by (H1).
std::vector<Change> plan(profile::MountProfile current, profile::MountProfile desired,
                         const FsView& fs, const PlanOptions& options = {});

}  // namespace nsr::reconcile
