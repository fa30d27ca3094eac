#include "reconcile/new_current.hpp"

#include <algorithm>

namespace nsr::reconcile {

using profile::MountEntry;

std::vector<const MountEntry*> in_place(const std::vector<Change>& plan,
                                        const std::vector<Outcome>& outcomes,
                                        const std::set<size_t>& carried) {
    // The plan lists what was there in reverse log order; PRIOR follows it.
    std::vector<const MountEntry*> prior;
    std::vector<const MountEntry*> added;
    for (size_t i = 0; i < outcomes.size(); ++i) {
        const Outcome& o = outcomes[i];
        const Change& c = plan[i];
        for (const MountEntry& s : o.synthesized)
            added.push_back(&s);
        const bool ok = o.status == Status::Done || o.status == Status::AlreadyDone;
        switch (c.action) {
            case Action::Keep:
                if (ok || o.remains)
                    prior.push_back(&c.entry);
                break;
            case Action::Unmount:
                if (!ok && o.remains)
                    prior.push_back(&c.entry);
                break;
            case Action::Mount:
            case Action::Replace:
                if (ok)
                    added.push_back(&c.entry);
                else if (c.action == Action::Replace && c.replaces && o.remains)
                    prior.push_back(&*c.replaces);
                break;
        }
    }
    // Not reached: what was there still is, unless an earlier change took
    // care of it.
    for (size_t i = outcomes.size(); i < plan.size(); ++i) {
        const Change& c = plan[i];
        if (carried.count(i)) {
            if (c.action == Action::Mount || c.action == Action::Replace)
                added.push_back(&c.entry);
            continue;
        }
        if (c.action == Action::Keep || c.action == Action::Unmount)
            prior.push_back(&c.entry);
        if (c.action == Action::Replace && c.replaces)
            prior.push_back(&*c.replaces);
    }
    std::reverse(prior.begin(), prior.end());
    prior.insert(prior.end(), added.begin(), added.end());
    return prior;
}

profile::MountProfile build_new_current(const std::vector<Change>& plan,
                                        const std::vector<Outcome>& outcomes,
                                        const std::set<size_t>& carried) {
    return copy_profile(in_place(plan, outcomes, carried));
}

profile::MountProfile copy_profile(const std::vector<const MountEntry*>& entries) {
    profile::MountProfile out;
    out.entries.reserve(entries.size());
    for (const MountEntry* e : entries) {
        out.entries.push_back(*e);
        out.entries.back().line = 0;
    }
    return out;
}

}  // namespace nsr::reconcile
