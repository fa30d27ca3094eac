#include "reconcile/change_groups.hpp"

#include <algorithm>

#include "base/path.hpp"
#include "profile/flags.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/mount_ops.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::is_within;
using base::parent_dir;
using profile::EntryKind;

namespace {

bool below(std::string_view path, std::string_view dir) {
    return path != dir && is_within(path, dir);
}

// A mount that can be made on a detached tree: a bind or filesystem at a
// directory or file, with no propagation to set once attached.
bool carriable(const Change& c) {
    if (c.action != Action::Mount && c.action != Action::Replace)
        return false;
    return is_mount_kind(c.entry) &&
           !(profile::options_to_flags(c.entry.options).flags & kPropagationFlags);
}

// An overlay with an upperdir is unmounted on its own, never detached
// lazily with what it sits on: its unmount is synced first and must really
// end it, or a later overlay would share its upper and work dirs with a
// live one (reconcile/overlay_exec.hpp).
bool goes_lazily(const profile::MountEntry& e) {
    return !profile::overlay_has_upper(e);
}

}  // namespace

ChangeGroups::ChangeGroups(const std::vector<Change>& plan) : plan_(plan) {
    // Only a Replace asks what lies at or below a dir (below_dir(),
    // changed_between()): a plan without one, as a no-op's, is not indexed.
    const bool replaces = std::any_of(plan.begin(), plan.end(),
                                      [](const Change& c) { return c.action == Action::Replace; });
    dirs_.reserve(plan.size());
    if (replaces)
        sorted_.reserve(plan.size());
    for (size_t i = 0; i < plan.size(); ++i) {
        const std::string& dir = plan[i].entry.dir;
        // plan() leaves every dir clean: views of them cost no copy.
        if (base::is_clean_absolute(dir))
            dirs_.push_back(dir);
        else
            dirs_.push_back(cleaned_.emplace_back(clean_path(dir)));
        if (replaces)
            sorted_.emplace_back(dirs_.back(), i);
    }
    std::sort(sorted_.begin(), sorted_.end());
    for (size_t j = 0; j < plan.size(); ++j) {
        if (plan[j].action != Action::Replace)
            continue;
        for (size_t i : below_dir(j)) {
            const Change& u = plan[i];
            if (i >= j || u.action != Action::Unmount || !is_mount_kind(u.entry) ||
                !goes_lazily(u.entry))
                continue;
            const auto again = at_dir(dirs_[i]);
            if (std::any_of(again.begin(), again.end(), [&](const auto& at) {
                    const size_t k = at.second;
                    return k > j && plan[k].action == Action::Mount &&
                           profile::same_but_detach(plan[k].entry, u.entry);
                })) {
                leaving_[i] = j;
            }
        }
    }
    // A Replace takes precedence: it leaves the tmpfs in place until the
    // old mount goes, where detaching the tmpfs first would open a window.
    for (size_t j = 0; j < plan.size(); ++j) {
        const Change& t = plan[j];
        if (t.action != Action::Unmount || t.entry.type != "tmpfs" ||
            profile::kind(t.entry) != EntryKind::Directory) {
            continue;
        }
        for (size_t i = j; i > 0 && plan[i - 1].action == Action::Unmount &&
                           below(dirs_[i - 1], dirs_[j]) && goes_lazily(plan[i - 1].entry);
             --i) {
            leaving_.emplace(i - 1, j);
        }
    }
}

std::span<const std::pair<std::string_view, size_t>> ChangeGroups::at_dir(
    std::string_view dir) const {
    const auto first =
        std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(dir, size_t{0}));
    auto last = first;
    while (last != sorted_.end() && last->first == dir)
        ++last;
    return {first, last};
}

bool ChangeGroups::changed_between(const std::string& src, size_t from, size_t to) const {
    for (std::string d = src;; d = parent_dir(d)) {
        const auto at = at_dir(d);
        auto j = std::upper_bound(at.begin(), at.end(), std::make_pair(std::string_view(d), from));
        if (j != at.end() && j->second < to)
            return true;
        if (d == "/")
            return false;
    }
}

std::vector<size_t> ChangeGroups::below_dir(size_t at) const {
    const std::string_view dir = dirs_.at(at);
    // Paths below DIR sort together, right after DIR + "/".
    const std::string prefix = dir == "/" ? "/" : std::string(dir) + "/";
    std::vector<size_t> found;
    for (auto it = std::lower_bound(sorted_.begin(), sorted_.end(),
                                    std::make_pair(std::string_view(prefix), size_t{0}));
         it != sorted_.end() && it->first.starts_with(prefix); ++it) {
        if (it->first != dir)
            found.push_back(it->second);
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::vector<size_t> ChangeGroups::mounts_carried_by(size_t replace) const {
    std::vector<size_t> later = below_dir(replace);
    std::erase_if(later, [&](size_t i) { return i <= replace; });
    const std::string_view dir = dirs_.at(replace);
    std::vector<size_t> out;
    for (size_t i : later) {
        const Change& c = plan_[i];
        if (!carriable(c))
            break;
        if (profile::is_bind(c.entry)) {
            const std::string src = clean_path(c.entry.name);
            if (is_within(src, dir) || changed_between(src, replace, i))
                break;
        }
        out.push_back(i);
    }
    return out;
}

}  // namespace nsr::reconcile
