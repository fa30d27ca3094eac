#include "reconcile/drift.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "base/names.hpp"
#include "base/path.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/change.hpp"
#include "reconcile/journal_file.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/needed.hpp"
#include "reconcile/table_mount_view.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::parent_dir;
using mountinfo::Mount;
using profile::EntryKind;
using profile::MountEntry;

std::string_view drift_type_name(DriftType t) {
    static constexpr base::Named<DriftType> kNames[] = {{DriftType::Missing, "missing"},
                                                        {DriftType::Differs, "differs"},
                                                        {DriftType::Extra, "extra"}};
    return base::name_of(kNames, t);
}

namespace {

std::string describe(const Mount& m) {
    return m.fstype + " " + m.source + " " + std::to_string(m.major) + ":" +
           std::to_string(m.minor) + " " + m.root + " (" + m.mount_options + ")";
}

// Something other than the entry occupies its place: a mount, or for a
// symlink entry anything at all.
bool occupied(const MountEntry& e, const std::string& dir, const mountinfo::MountTable& table,
              const FsView& fs) {
    if (profile::kind(e) == EntryKind::Symlink)
        return fs.lstat(dir) != FileType::Missing;
    const Mount* top = table.top_at(dir);
    return top && profile::origin(e) != profile::Origin::Rootfs && dir != "/";
}

// M is what a process sees at its mount point, or lies under what it sees
// there (a covered mount's submounts are out of sight, not drift).
bool visible(const Mount& m, MountView& view) {
    const auto stack = view.stack_at(m.mount_point);
    return std::any_of(stack.begin(), stack.end(), [&](const Mount& s) { return s.id == m.id; });
}

}  // namespace

std::vector<MountEntry> journal_extras(const profile::MountProfile& current,
                                       const Journal& journal) {
    std::vector<MountEntry> extras;
    auto add = [&](const MountEntry& e) {
        if (is_mount_kind(e) &&
            std::find(current.entries.begin(), current.entries.end(), e) == current.entries.end() &&
            std::find(extras.begin(), extras.end(), e) == extras.end())
            extras.push_back(e);
    };
    for (const MountEntry& e : journal.saved())
        add(e);
    for (const Claim& c : journal.claims()) {
        for (const MountEntry& e : c.entries)
            add(e);
    }
    return extras;
}

std::vector<MountEntry> journal_extras(const profile::MountProfile& current, JournalFile* file) {
    if (!file)
        return {};
    LinuxKernel kernel;
    return journal_extras(current, Journal(*file, journal_namespace_id(kernel), {}));
}

DriftReport drift(const profile::MountProfile& current, const mountinfo::MountTable& table,
                  const FsView& fs, const std::vector<MountEntry>& owned,
                  const std::string& ignored) {
    DriftReport report;
    TableMountView view(table);
    // Mount points of the profile: how many mounts each accounts for, and
    // whether submounts come along with it.
    std::map<std::string, std::vector<const MountEntry*>> expected_at;
    std::set<std::string> recursive;
    for (const MountEntry& e : current.entries) {
        ++report.checked;
        const std::string dir = clean_path(e.dir);
        if (is_mount_kind(e)) {
            expected_at[dir].push_back(&e);
            if (profile::is_rbind(e))
                recursive.insert(dir);
        }
        Verdict v = needed({Action::Mount, e, std::nullopt}, view, fs);
        if (!v.needed)
            continue;
        if (occupied(e, dir, table, fs)) {
            std::string found = profile::kind(e) == EntryKind::Symlink
                                    ? v.reason
                                    : "found " + describe(*table.top_at(dir)) + ": " + v.reason;
            report.items.push_back({DriftType::Differs, dir, e, found});
        } else {
            report.items.push_back({DriftType::Missing, dir, e, v.reason});
        }
    }

    auto profile_dir_above = [&](const std::string& point) -> const std::string* {
        for (std::string p = point;; p = parent_dir(p)) {
            if (auto it = expected_at.find(p); it != expected_at.end())
                return &it->first;
            if (p == "/")
                return nullptr;
        }
    };
    auto under_rbind = [&](const std::string& point) {
        for (std::string p = parent_dir(point);; p = parent_dir(p)) {
            if (recursive.count(p))
                return true;
            if (p == "/")
                return false;
        }
    };
    std::map<std::string, std::vector<const MountEntry*>> owned_at;
    for (const MountEntry& e : owned)
        owned_at[clean_path(e.dir)].push_back(&e);
    auto shows_owned = [&](const Mount& m) {
        const auto it = owned_at.find(m.mount_point);
        return it != owned_at.end() &&
               std::any_of(it->second.begin(), it->second.end(),
                           [&](const MountEntry* e) { return shows_entry(*e, m, view); });
    };
    std::set<std::string> stacks_seen;
    for (const Mount& m : table.mounts()) {
        if (!ignored.empty() && base::is_within(m.mount_point, ignored))
            continue;
        const std::string* owner = profile_dir_above(m.mount_point);
        if (!owner && shows_owned(m)) {
            report.items.push_back({DriftType::Extra, m.mount_point, std::nullopt,
                                    describe(m) + " was mounted by nsreconcile (its journal says) "
                                                  "and is not in the profile"});
            continue;
        }
        if (!owner)
            continue;
        if (*owner == m.mount_point) {
            if (!stacks_seen.insert(m.mount_point).second)
                continue;
            auto stack = table.stack_at(m.mount_point);
            // Mounts below the deepest one an entry accounts for were there
            // before the profile was applied (the host's, or the base's).
            const auto& entries = expected_at.at(m.mount_point);
            size_t ours = 0;
            for (size_t i = 0; i < stack.size(); ++i) {
                for (const MountEntry* e : entries) {
                    if (shows_entry(*e, *stack[i], view))
                        ours = i + 1;
                }
                if (shows_owned(*stack[i]))
                    ours = i + 1;
            }
            if (ours > entries.size()) {
                report.items.push_back({DriftType::Extra, m.mount_point, std::nullopt,
                                        std::to_string(ours) + " mounts stacked at " +
                                            m.mount_point + " where the profile has " +
                                            std::to_string(entries.size()) + ", top is " +
                                            describe(*stack.front())});
            }
            continue;
        }
        if (under_rbind(m.mount_point) || !visible(m, view))
            continue;
        report.items.push_back({DriftType::Extra, m.mount_point, std::nullopt,
                                describe(m) + " is not in the profile"});
    }
    return report;
}

}  // namespace nsr::reconcile
