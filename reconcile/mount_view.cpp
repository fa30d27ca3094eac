#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

std::optional<mountinfo::Mount> MountView::visible_at(std::string_view dir) {
    auto stack = stack_at(dir);
    if (stack.empty())
        return std::nullopt;
    return std::move(stack.front());
}

BindTop MountView::bind_top(std::string_view dir, std::string_view src) {
    BindTop b;
    b.top = visible_at(dir);
    if (!b.top)
        return b;
    b.source = resolve(src);
    b.shows_source =
        b.source && b.source->mount.dev() == b.top->dev() && b.source->path_in_fs == b.top->root;
    return b;
}

}  // namespace nsr::reconcile
