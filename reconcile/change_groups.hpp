// Changes of a plan that the executor makes in one step with another, so
// that a process in the namespace never sees the state between them
// (README "No empty window"). Pure scans of the plan; whether the kernel
// and the file system allow it is the executor's to find out.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reconcile/change.hpp"

namespace nsr::reconcile {

class ChangeGroups {
  public:
    // Indexes PLAN, which must outlive this object.
    explicit ChangeGroups(const std::vector<Change>& plan);

    // For the Replace at REPLACE: the later mounts below its mount point, in
    // plan order, that could be made on the new mount while it is still
    // detached, so that they appear together with it. The scan stops at the
    // first later change below the mount point that cannot go (a symlink, a
    // mount with propagation options, a bind whose source lies below the
    // replaced mount point or below something changed in between).
    std::vector<size_t> mounts_carried_by(size_t replace) const;

    // Unmounts that a later change's detach takes along, mapped to that
    // change, so that a reader never sees them go one by one:
    // - unmounts, before a Replace, of mounts below its mount point that the
    //   plan mounts again unchanged after it (children dragged along by a
    //   changed parent) leave with the old mount and come back carried by
    //   the new one: map to the Replace;
    // - the other unmounts in the run of unmounts below a tmpfs's mount
    //   point right before its unmount (a mimic's bind-backs) leave with
    //   the tmpfs: map to the tmpfs's unmount.
    // An overlay with an upperdir never leaves with another change: it is
    // unmounted on its own, after a syncfs inside it.
    const std::map<size_t, size_t>& unmounts_leaving_with() const { return leaving_; }

    // The clean dir of the change at I.
    std::string_view dir(size_t i) const { return dirs_.at(i); }

  private:
    // The positions of the changes whose dir lies below the dir of the
    // change at AT, ascending: O(log n) plus what it finds.
    std::vector<size_t> below_dir(size_t at) const;
    // The changes at DIR, ascending: a range of sorted_.
    std::span<const std::pair<std::string_view, size_t>> at_dir(std::string_view dir) const;
    // Is a change at DIR (one of SRC's directories) between FROM and TO?
    bool changed_between(const std::string& src, size_t from, size_t to) const;

    const std::vector<Change>& plan_;
    // Each change's clean dir: a view of its entry's, or of a cleaned copy.
    std::vector<std::string_view> dirs_;
    std::deque<std::string> cleaned_;
    // (dir, index), by dir then index, so that the changes at one dir are
    // a range. Filled only when the plan has a Replace, the only change
    // that asks.
    std::vector<std::pair<std::string_view, size_t>> sorted_;
    std::map<size_t, size_t> leaving_;
};

}  // namespace nsr::reconcile
