// A MountView that asks the kernel about each path it is asked about:
// statx(STATX_MNT_ID_UNIQUE) of the path names the mount that holds it (and
// says whether the path is that mount's root), statmount(2) tells that
// mount's filesystem, root, mount point, options and parent. A question
// costs O(depth of the mount stack there), not O(mounts in the namespace):
// no mountinfo is read.
//
// The mounts asked about again and again (the parents of mount points, the
// mounts that hold bind sources) are cached by their unique id (the kernel
// never reuses one); the mount on top at a directory is read afresh each
// time (a run asks about each directory once or twice: caching those would
// cost memory in proportion to the profile), except that the last
// directory's answer serves a repeated question. What can change about a
// cached mount (its parent, when a mount is put beneath it) is forgotten
// when the tool records a change at its mount point; changes made by others
// during a run are seen, except in those cached facts and in the last two
// directories looked into (each kept open, so that a path is looked up from
// its directory rather than from "/").
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/fd.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

class LiveMountView final : public MountView {
  public:
    // Whether KERNEL can answer everything the view asks, judged from what
    // statx and statmount return for "/": statx must give the unique mount
    // id and the mount-root attribute, statmount the filesystem's options,
    // source and subtype (by its supported mask; kernels without that mask
    // show support by filling in the root's source). Otherwise returns
    // false with WHY naming what is missing, and a MountTable must serve.
    static bool supported(Kernel& kernel, std::string& why);

    // KERNEL must outlive the view.
    explicit LiveMountView(Kernel& kernel) : k_(kernel) {}

    std::vector<mountinfo::Mount> stack_at(std::string_view dir) override;
    std::optional<MountedPath> resolve(std::string_view path) override;
    std::optional<mountinfo::Mount> parent_of(const mountinfo::Mount& m) override;
    // By statx of both paths (same device and inode, DIR the root of a
    // mount) and, when they match, statmount of the top's flags: three
    // calls, against five (and the strings) for stack_at() and resolve(). It
    // differs from comparing the top's root with SRC's path only where a
    // path goes through a symlink or names a file with other hard links.
    BindTop bind_top(std::string_view dir, std::string_view src) override;
    // Both forget what was cached about the mounts at the mount point; the
    // next question about it asks the kernel.
    void record_mount(const base::Fd& mount_fd, mountinfo::Mount proto, bool beneath) override;
    void record_detach(std::string_view dir) override;
    bool wants_protos() const override { return false; }

  private:
    // What statx says of a path (not following a final symlink).
    struct PathStat {
        uint64_t mount_id = 0;  // unique id of the mount that holds it
        bool mount_root = false;
        dev_t dev = 0;
        uint64_t ino = 0;
    };
    // 0, or -errno.
    int stat_path(std::string_view path, PathStat& out);
    // An O_PATH fd of DIR, opened through no symlink, kept for the
    // lookups of its entries; -1 when DIR cannot be opened so.
    int parent_fd(std::string_view dir);
    // resolve() without the copy: HOLDER points into the cache. Also what
    // statx said of PATH itself, when it exists. False for nothing.
    bool locate(std::string_view path, std::optional<PathStat>& leaf,
                const mountinfo::Mount*& holder, std::string& path_in_fs);
    // The per-mount flags (MOUNT_ATTR_*) of the mount with unique id ID,
    // on top at DIR.
    uint64_t top_attrs(std::string_view dir, uint64_t id);
    // The mount with unique id ID, from the kernel; nothing when it is not
    // (or no longer) in the caller's namespace, or out of the caller's
    // sight (the parent of the namespace's root).
    std::optional<mountinfo::Mount> read(uint64_t id);
    // The same, kept for later questions; nullptr for nothing.
    const mountinfo::Mount* cached(uint64_t id);
    void forget_at(std::string_view dir);

    Kernel& k_;
    std::unordered_map<uint64_t, mountinfo::Mount> mounts_;
    // The ids in mounts_ at each mount point.
    std::unordered_map<std::string, std::vector<uint64_t>> ids_at_;
    // The last stack_at() question and its answer, and what statx said of
    // the last few paths, until the next change: a change's checks ask
    // about its directory and sources more than once.
    std::string last_dir_;
    std::vector<mountinfo::Mount> last_stack_;
    bool last_valid_ = false;
    // A ring of at most kRecent: a slot's string keeps its buffer from
    // path to path, so a run of questions allocates nothing for them.
    static constexpr size_t kRecent = 4;
    std::vector<std::pair<std::string, PathStat>> recent_stats_;
    size_t recent_next_ = 0;  // the slot the next answer goes to, once full
    // The last directories whose entries were looked up (parent_fd()),
    // until a change at or above one of them.
    std::vector<std::pair<std::string, base::Fd>> parents_;
    // top_attrs()'s last answer (mount id, flags), until the next change.
    std::optional<std::pair<uint64_t, uint64_t>> last_top_;
    std::vector<char> buf_;  // statmount's result, reused
};

}  // namespace nsr::reconcile
