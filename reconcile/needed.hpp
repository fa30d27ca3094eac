// Is a planned change still needed, judged from the live mount table and
// file facts rather than from the (possibly stale) current profile?
#pragma once

#include <string>

#include "mountinfo/mount_table.hpp"
#include "reconcile/change.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::reconcile {

struct Verdict {
    bool needed;
    std::string reason;  // one line: why it is or is not needed
};

Verdict needed(const Change& change, const mountinfo::MountTable& table, const FsView& fs);

}  // namespace nsr::reconcile
