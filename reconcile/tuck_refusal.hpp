// Why the kernel refused to attach a mount beneath another. It answers
// EINVAL for every case (move_mount(2), MOVE_MOUNT_BENEATH), so the debug
// log tells them apart from what is mounted there and the kernel's release.
#pragma once

#include <string>

#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

// A phrase naming the reason MOVE_MOUNT_BENEATH at DIR failed with ERR
// (a positive errno), judged from VIEW as it was before the attempt. Throws
// std::system_error when VIEW cannot tell.
std::string beneath_refusal(MountView& view, const std::string& dir, int err);

}  // namespace nsr::reconcile
