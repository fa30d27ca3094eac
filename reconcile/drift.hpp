// Drift: how far a namespace's live mount table has moved from the current
// profile (the log of what was applied). What a monitoring job asks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/journal.hpp"

namespace nsr::reconcile {

enum class DriftType {
    Missing,  // the entry's mount (or symlink, or dir) is not there
    Differs,  // something else is at the entry's mount point
    Extra,    // mounted under the profile's mount points, not in the profile
};

std::string_view drift_type_name(DriftType t);  // "missing", "differs", "extra"

struct DriftItem {
    DriftType type;
    std::string dir;
    std::optional<profile::MountEntry> entry;  // absent for Extra
    std::string detail;                        // one line: what was found
};

struct DriftReport {
    size_t checked = 0;  // entries of the profile looked at
    std::vector<DriftItem> items;
    bool in_step() const { return items.empty(); }
};

// Each entry of CURRENT is judged with needed(); then every mount at or
// below a mount point of the profile that no entry accounts for is extra
// (a bind stacked twice at one place included). Submounts that an rbind
// entry brings along are accounted for by it. OWNED: entries the tool's
// journal says it mounted beyond CURRENT (journal_extras(), e.g. the new
// mount of a replacement left beneath the old one): a mount showing one is
// extra too, wherever it is. A question about the whole table: listmount(2)
// would walk every mount of the namespace for each mount point asked about,
// so drift reads a snapshot. Mounts at or below IGNORED (the pile's mount
// point, reconcile/pile.hpp: a killed run's pile holds only replaced
// mounts, and the next run detaches it) are not looked at.
DriftReport drift(const profile::MountProfile& current, const mountinfo::MountTable& table,
                  const FsView& fs, const std::vector<profile::MountEntry>& owned = {},
                  const std::string& ignored = "");

// The entries JOURNAL knows of that CURRENT does not: its claims and the
// entries it saved.
std::vector<profile::MountEntry> journal_extras(const profile::MountProfile& current,
                                                const Journal& journal);
// The same, reading FILE (nullptr: none) from inside the namespace.
std::vector<profile::MountEntry> journal_extras(const profile::MountProfile& current,
                                                JournalFile* file);

}  // namespace nsr::reconcile
