#include "reconcile/judge.hpp"

#include "reconcile/needed.hpp"

namespace nsr::reconcile {

std::vector<PlannedChange> judge(std::vector<Change> changes, MountView* view, const FsView& fs,
                                 MountView* sources) {
    std::vector<PlannedChange> out;
    out.reserve(changes.size());
    for (auto& c : changes) {
        PlannedChange p{std::move(c), true, "not checked: there is no mount table"};
        if (view) {
            const Verdict v = needed(p.change, *view, fs, sources);
            p.needed = v.needed;
            p.reason = v.reason;
        }
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace nsr::reconcile
