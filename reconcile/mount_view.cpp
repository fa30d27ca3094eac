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
    const auto top = visible_at(dir);
    b.mounted = top.has_value();
    if (!top)
        return b;
    auto source = resolve(src);
    if (!source || source->mount.dev() != top->dev() || source->path_in_fs != top->root)
        return b;
    b.shows_source = true;
    b.major = top->major;
    b.minor = top->minor;
    b.path_in_fs = std::move(source->path_in_fs);
    b.top_attrs = top->attrs();
    b.source_attrs = source->mount.attrs();
    return b;
}

}  // namespace nsr::reconcile
