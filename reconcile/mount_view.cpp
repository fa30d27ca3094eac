#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

const mountinfo::Mount* MountView::visible_at(std::string_view dir) {
    const auto stack = stack_at(dir);
    return stack.empty() ? nullptr : stack.front();
}

}  // namespace nsr::reconcile
