// A snapshot of a mount namespace's mount table, with the indexes the
// reconciler needs, kept current by the caller's own mount/unmount actions.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/error.hpp"

namespace nsr::mountinfo {

struct Mount {
    long id = 0;
    long parent_id = 0;
    unsigned major = 0;
    unsigned minor = 0;
    std::string root;                          // path inside the mounted filesystem
    std::string mount_point;                   // path in the namespace
    std::string mount_options;                 // per-mount: "rw,nosuid,..."
    std::vector<std::string> optional_fields;  // "shared:5", "master:1", "unbindable"
    std::string fstype;
    std::string source;
    std::string super_options;

    dev_t dev() const;
    bool read_only() const;  // "ro" among the per-mount options
    // The per-mount options as mount_setattr(2)'s MOUNT_ATTR_* bits: ro,
    // nosuid, nodev, noexec, nodiratime, nosymfollow, and the atime field
    // (mountinfo shows relatime or noatime, and neither for strictatime).
    uint64_t attrs() const;
    bool has_mount_option(std::string_view opt) const;
    // Value of "key=value" in the super options (e.g. tmpfs "mode"); a bare
    // "key" gives an empty value.
    std::optional<std::string> super_option(std::string_view key) const;

    bool operator==(const Mount&) const = default;
};

// FIELD with the four escapes the kernel's mangle() and seq_show_option()
// write for space, tab, newline and backslash (\040 \011 \012 \134)
// decoded; any other backslash sequence is kept as it is.
std::string unescape(std::string_view field);

// Parses text in /proc/PID/mountinfo format (snapd's rules: fields split on
// runs of spaces, optional fields ended by "-", the super options are the
// remaining fields joined by one space, \040 \011 \012 \134 decoded). Throws
// base::InputError "SOURCE:LINE: message".
std::vector<Mount> parse_mountinfo(std::string_view text, const std::string& source = "mountinfo");

class MountTable {
  public:
    MountTable() = default;
    // Mounts as the kernel lists them (mountinfo, listmount/statmount). A
    // duplicate id throws std::invalid_argument.
    explicit MountTable(std::vector<Mount> mounts);

    // Text in /proc/PID/mountinfo format; SOURCE names it in errors
    // ("SOURCE:LINE: message"), a duplicate mount id included.
    static MountTable parse(std::string_view text, const std::string& source = "mountinfo");
    // Throws std::system_error ("cannot read PATH: errno text") on I/O errors.
    static MountTable from_file(const std::string& path);
    // The calling process's namespace (/proc/self/mountinfo).
    static MountTable from_self();

    // Pointers returned by the queries below stay valid until the next add()
    // or remove() (and, after a remove(), the next mounts()).

    // How many mounts the table holds.
    size_t size() const { return by_id_.size(); }
    // All mounts, in the order the kernel listed them (then added ones).
    const std::vector<Mount>& mounts() const {
        compact();
        return mounts_;
    }
    const Mount* by_id(long id) const;

    // Mounts whose mount point is DIR, top of the stack first. The top is
    // the one no other mount at DIR sits on (not simply the last listed:
    // a mount tucked beneath comes later in the list but is not on top).
    // When several separate stacks share DIR (one of them hidden because the
    // mount holding DIR was itself covered), the visible stack comes first,
    // then the hidden ones, most recently listed top first.
    std::vector<const Mount*> stack_at(std::string_view dir) const;
    // stack_at(dir).front(): the visible mount at DIR if there is one.
    const Mount* top_at(std::string_view dir) const;
    // Mounts whose parent is ID (mounts stacked on it included), in list order.
    std::vector<const Mount*> children_of(long id) const;
    std::vector<const Mount*> by_device(dev_t dev) const;

    // The visible mount that holds PATH: from the root mount (the top of the
    // stack at "/"), for each longer prefix of PATH, the top of the stack of
    // children of the current mount mounted at that prefix. A mount whose
    // parent has been covered by another mount is not visible. PATH is
    // absolute and clean. nullptr for an empty table or a relative path.
    const Mount* containing(std::string_view path) const;

    struct Resolved {
        const Mount* mount;
        std::string path_in_fs;  // mount->root joined with the rest of PATH
    };
    std::optional<Resolved> resolve(std::string_view path) const;

    // Keeping the snapshot current without re-reading the kernel's table.
    //
    // add() records a mount the caller made at M.mount_point and returns its
    // id. An id of 0 gets a fresh negative id (the kernel's ids are
    // positive, so the two never collide); a duplicate id throws
    // std::invalid_argument.
    // On top (beneath=false), the parent is chosen the way the kernel
    // chooses it: the visible mount at the mount point if there is one (the
    // caller's parent_id is overwritten), else the caller's parent_id if it
    // is not 0, else containing(mount point).
    // Beneath (MOVE_MOUNT_BENEATH), M takes the visible top's parent and the
    // top is re-parented onto M; without a visible mount at the mount point
    // it throws std::invalid_argument, as the kernel refuses it.
    long add(Mount m, bool beneath = false);
    // Removes the mount and every mount below it in the tree, as MNT_DETACH
    // does. A mount stacked on it (at the same mount point) survives with
    // its own subtree and falls onto the removed mount's parent, as the
    // kernel re-parents a "topper" when it unmounts a covered mount through
    // propagation. Unknown id: std::out_of_range.
    void remove(long id);

  private:
    // Index keys are hashes of paths, not copies: building the indexes is
    // most of the cost of a snapshot (bench/README.md). Lookups compare the
    // mount point of every candidate, so a collision costs a comparison,
    // never a wrong answer.
    struct ChildKey {
        long parent;
        size_t point_hash;
        bool operator==(const ChildKey&) const = default;
    };
    struct ChildKeyHash {
        size_t operator()(const ChildKey& k) const;
    };

    const Mount& at(long id) const { return mounts_[by_id_.at(id)]; }
    // Indexes every mount; a duplicate id is reported against SOURCE (as a
    // base::InputError with its line) when there is one.
    void index_all(const std::string* source);
    void index(const Mount& m);
    // Drops IDS (a whole subtree) from every index but by_id_.
    void unindex(const std::unordered_set<long>& ids);
    void link_child(const Mount& m);
    void unlink_child(const Mount& m);
    // Mounts whose parent is PARENT and whose mount point is POINT.
    std::vector<long> children_at(long parent, std::string_view point) const;
    // The last listed of them (the kernel keeps one), or nullptr.
    const Mount* child_at(long parent, std::string_view point) const;
    // Follows the mounts stacked on ID at its own mount point to the top.
    long top_of_stack(long id) const;
    const Mount* root_mount() const;
    // Drops the records remove() left behind, and renumbers by_id_.
    void compact() const;

    // Mutable: mounts() drops the records remove() left behind.
    mutable std::vector<Mount> mounts_;
    mutable std::vector<bool> dead_;  // by position in mounts_
    mutable size_t dead_count_ = 0;
    // The indexes hold mount ids, so that removing mounts only shifts the
    // positions kept in by_id_.
    mutable std::unordered_map<long, size_t> by_id_;
    std::unordered_map<size_t, std::vector<long>> by_point_hash_;
    std::unordered_map<long, std::vector<long>> children_;
    std::unordered_map<ChildKey, std::vector<long>, ChildKeyHash> child_at_;
    std::unordered_map<dev_t, std::vector<long>> by_dev_;
    long next_synthetic_id_ = -1;
};

// Joins a filesystem-internal root with a relative rest ("/" + "a/b" -> "/a/b").
std::string join_path(std::string_view root, std::string_view rest);

}  // namespace nsr::mountinfo
