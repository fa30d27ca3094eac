#include "reconcile/mount_state.hpp"

#include "reconcile/live_mount_view.hpp"
#include "reconcile/table_mount_view.hpp"

namespace nsr::reconcile {

MountState::MountState(Kernel& kernel, MountSource source,
                       const std::function<void(const std::string&)>& debug) {
    std::string why = "asked for";
    if (source == MountSource::Auto && LiveMountView::supported(kernel, why)) {
        view_ = std::make_unique<LiveMountView>(kernel);
        return;
    }
    if (debug)
        debug("reading the whole mount table from /proc/self/mountinfo: " + why);
    table_.emplace(mountinfo::MountTable::from_self());
    view_ = std::make_unique<TableMountView>(*table_, kernel);
}

MountState::MountState(Kernel& kernel, mountinfo::MountTable table) : table_(std::move(table)) {
    view_ = std::make_unique<TableMountView>(*table_, kernel);
}

}  // namespace nsr::reconcile
