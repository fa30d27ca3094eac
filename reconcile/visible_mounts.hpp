// What a process in the namespace sees at a mount point, read from a
// MountTable: the mount on top there and the ones it covers in place.
#pragma once

#include <string_view>
#include <vector>

#include "mountinfo/mount_table.hpp"

namespace nsr::reconcile {

// The mount a process sees at DIR (clean, absolute), if DIR is a mount
// point at all. Unlike MountTable::top_at, never a mount of a hidden stack.
const mountinfo::Mount* visible_at(const mountinfo::MountTable& table, std::string_view dir);

// The visible mount at DIR and the ones it covers at the same place, top
// first. Stacks are normal here: a mimic tmpfs can sit on a layout's bind.
std::vector<const mountinfo::Mount*> visible_stack(const mountinfo::MountTable& table,
                                                   std::string_view dir);

}  // namespace nsr::reconcile
