// The MountView of the calling process's namespace, made the cheapest way
// the kernel allows: asking about each path (LiveMountView) where statx and
// statmount can tell everything, else from one read of
// /proc/self/mountinfo (TableMountView over a MountTable).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mountinfo/mount_table.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

enum class MountSource {
    Auto,       // the live view where supported
    Mountinfo,  // always the snapshot (the fallback, forced)
};

class MountState {
  public:
    // DEBUG (may be empty) learns which source serves, and why. Reading
    // mountinfo can throw std::system_error. KERNEL must outlive the state.
    MountState(Kernel& kernel, MountSource source,
               const std::function<void(const std::string&)>& debug);
    // A snapshot read elsewhere (a container's table, read from the host).
    MountState(Kernel& kernel, mountinfo::MountTable table);
    MountState(const MountState&) = delete;
    MountState& operator=(const MountState&) = delete;

    MountView& view() { return *view_; }
    // Whether the snapshot serves.
    bool from_mountinfo() const { return table_.has_value(); }

  private:
    std::optional<mountinfo::MountTable> table_;
    std::unique_ptr<MountView> view_;
};

}  // namespace nsr::reconcile
