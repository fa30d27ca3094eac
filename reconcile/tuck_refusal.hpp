// Why the kernel refused to attach a mount beneath another. It answers
// EINVAL for every case (move_mount(2), MOVE_MOUNT_BENEATH), so the debug
// log tells them apart from the mount table and the kernel's release.
#pragma once

#include <string>

#include "mountinfo/mount_table.hpp"

namespace nsr::reconcile {

// A phrase naming the reason MOVE_MOUNT_BENEATH at DIR failed with ERR
// (a positive errno), judged from TABLE as it was before the attempt.
std::string beneath_refusal(const mountinfo::MountTable& table, const std::string& dir, int err);

}  // namespace nsr::reconcile
