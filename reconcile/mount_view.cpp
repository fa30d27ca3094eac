#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

std::optional<mountinfo::Mount> MountView::visible_at(std::string_view dir) {
    auto stack = stack_at(dir);
    if (stack.empty())
        return std::nullopt;
    return std::move(stack.front());
}

}  // namespace nsr::reconcile
