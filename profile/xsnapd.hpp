// Typed access to snapd's x-snapd.* options of an entry.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "profile/mount_entry.hpp"

namespace nsr::profile {

enum class EntryKind { Directory, File, Symlink, EnsureDir, Unknown };
enum class Origin { None, Layout, Overname, Rootfs, Unknown };

// Raw values ("" when the option is absent).
std::string kind_name(const MountEntry& e);
std::string origin_name(const MountEntry& e);

EntryKind kind(const MountEntry& e);
Origin origin(const MountEntry& e);

bool is_synthetic(const MountEntry& e);
bool is_detach(const MountEntry& e);
// Whether A and B are the same entry (MountEntry::operator==, the dirs
// compared clean) but for x-snapd.detach, which a planned unmount's entry
// gains (reconcile/plan.hpp, R6).
bool same_but_detach(const MountEntry& a, const MountEntry& b);
bool is_ignore_missing(const MountEntry& e);
bool is_bind(const MountEntry& e);   // "bind" or "rbind" option present
bool is_rbind(const MountEntry& e);  // "rbind" option present

// x-snapd.id, or the entry's dir when absent.
std::string entry_id(const MountEntry& e);
std::optional<std::string> needed_by(const MountEntry& e);
std::optional<std::string> symlink_target(const MountEntry& e);
std::optional<std::string> must_exist_dir(const MountEntry& e);

// Validated numeric options. A malformed value throws std::invalid_argument
// with a message naming the option and the value; callers that know the
// file and line turn it into a base::InputError.
std::optional<mode_t> mode(const MountEntry& e);  // x-snapd.mode=0NNN or 0NNNN
std::optional<uid_t> uid(const MountEntry& e);    // x-snapd.uid=N
std::optional<gid_t> gid(const MountEntry& e);    // x-snapd.gid=N

}  // namespace nsr::profile
