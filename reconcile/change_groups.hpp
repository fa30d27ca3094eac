// Changes of a plan that the executor makes in one step with another, so
// that a process in the namespace never sees the state between them
// (README "No empty window"). Pure scans of the plan; whether the kernel
// and the file system allow it is the executor's to find out.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>
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

    // Unmounts that directly precede the unmount of a tmpfs and lie below
    // its mount point leave with it when it is detached. Maps the first of
    // each such run to the index of the tmpfs unmount.
    const std::map<size_t, size_t>& unmounts_leaving_with_tmpfs() const { return leaving_; }

    // Unmounts, before a Replace, of mounts below its mount point that the
    // plan mounts again unchanged after it (children dragged along by a
    // changed parent). They leave with the old mount when it is detached,
    // and come back carried by the new one, so unmounting them first would
    // only open a window. Maps each such unmount to the Replace.
    const std::map<size_t, size_t>& unmounts_leaving_with_replace() const {
        return leaving_with_replace_;
    }

  private:
    // Is a change at DIR (one of SRC's directories) between FROM and TO?
    bool changed_between(const std::string& src, size_t from, size_t to) const;

    const std::vector<Change>& plan_;
    std::vector<std::string> dirs_;                                // each change's clean dir
    std::vector<std::pair<std::string, size_t>> sorted_;           // (dir, index), by dir
    std::unordered_map<std::string, std::vector<size_t>> at_dir_;  // ascending indices
    std::map<size_t, size_t> leaving_;
    std::map<size_t, size_t> leaving_with_replace_;
};

}  // namespace nsr::reconcile
