// A snapshot of a mount namespace's mount table, with the indexes the
// reconciler needs, kept current by the caller's own mount/unmount actions.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nsr::mountinfo {

struct Mount {
    long id = 0;
    long parent_id = 0;
    unsigned major = 0;
    unsigned minor = 0;
    std::string root;         // path inside the mounted filesystem
    std::string mount_point;  // path in the namespace
    std::string mount_options;                 // per-mount: "rw,nosuid,..."
    std::vector<std::string> optional_fields;  // "shared:5", "master:1", "unbindable"
    std::string fstype;
    std::string source;
    std::string super_options;

    dev_t dev() const;
    bool read_only() const;  // "ro" among the per-mount options
    bool has_mount_option(std::string_view opt) const;
    // Value of "key=value" in the super options (e.g. tmpfs "mode").
    std::optional<std::string> super_option(std::string_view key) const;
};

class ParseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class MountTable {
public:
    MountTable() = default;

    // Text in /proc/PID/mountinfo format; SOURCE names it in errors
    // ("SOURCE:LINE: message").
    static MountTable parse(std::string_view text, const std::string& source = "mountinfo");
    static MountTable from_file(const std::string& path);
    // The calling process's namespace (/proc/self/mountinfo).
    static MountTable from_self();

    // All mounts, in the order the kernel listed them (then added ones).
    const std::vector<Mount>& mounts() const { return mounts_; }
    const Mount* by_id(long id) const;

    // Mounts whose mount point is DIR, top of the stack first. The top is
    // the one no other mount at DIR sits on (not simply the last listed:
    // a mount tucked beneath comes later in the list but is not on top).
    std::vector<const Mount*> stack_at(std::string_view dir) const;
    const Mount* top_at(std::string_view dir) const;
    std::vector<const Mount*> children_of(long id) const;
    std::vector<const Mount*> by_device(dev_t dev) const;

    // The visible mount that holds PATH: walking from the root mount down
    // the visible tree, the top mount whose mount point is the longest
    // prefix of PATH. nullptr for an empty table or a relative path.
    const Mount* containing(std::string_view path) const;

    struct Resolved {
        const Mount* mount;
        std::string path_in_fs;  // mount->root joined with the rest of PATH
    };
    std::optional<Resolved> resolve(std::string_view path) const;

    // Keeping the snapshot current without re-reading the kernel's table.
    // add() appends M on top of whatever is at its mount point (or, with
    // beneath=true, under the current top, which is re-parented onto M).
    void add(Mount m, bool beneath = false);
    // Removes the mount and, like MNT_DETACH, every mount below it.
    void remove(long id);

private:
    void index(size_t pos);
    void rebuild();

    std::vector<Mount> mounts_;
    std::unordered_map<long, size_t> by_id_;
    std::map<std::string, std::vector<size_t>, std::less<>> by_mount_point_;
    std::unordered_map<long, std::vector<size_t>> children_;
    std::unordered_map<dev_t, std::vector<size_t>> by_dev_;
};

// Joins a filesystem-internal root with a relative rest ("/" + "a/b" -> "/a/b").
std::string join_path(std::string_view root, std::string_view rest);

}  // namespace nsr::mountinfo
