#include "reconcile/live_mount_view.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

namespace nsr::reconcile {

using base::Fd;
using base::is_within;
using base::throw_errno;

using mountinfo::Mount;

namespace {

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

// Everything a Mount holds but the optional fields' propagate_from.
constexpr uint64_t kWanted = kStatmountSbBasic | kStatmountMntBasic | kStatmountMntRoot |
                             kStatmountMntPoint | kStatmountFsType | kStatmountMntOpts |
                             kStatmountFsSubtype | kStatmountSbSource;

// The superblock flags mountinfo shows among the super options.
constexpr uint32_t kSbRdonly = 1, kSbSynchronous = 16, kSbMandlock = 64, kSbDirsync = 128,
                   kSbLazytime = 1u << 25;

// Errors of a path lookup that mean "nothing there", as a lexical reading of
// a mount table would have it.
bool is_absent(int rc) {
    return rc == -ENOENT || rc == -ENOTDIR || rc == -ELOOP || rc == -ENAMETOOLONG;
}

std::string quoted(std::string_view path) {
    std::string q = "\"";
    q += path;
    q += '"';
    return q;
}

// A field of a mount's flags, and the option mountinfo shows when the
// field holds VALUE.
struct NamedBits {
    uint64_t mask;
    uint64_t value;
    std::string_view name;
};

// "ro" or "rw", then the names of OPTIONS whose field FLAGS holds, in order.
template <size_t N>
std::string named_options(bool read_only, uint64_t flags, const NamedBits (&options)[N]) {
    std::string s = read_only ? "ro" : "rw";
    for (const NamedBits& o : options) {
        if ((flags & o.mask) == o.value) {
            s += ',';
            s += o.name;
        }
    }
    return s;
}

// mountinfo's per-mount options for MOUNT_ATTR_* bits, in its order.
constexpr NamedBits kMountOptions[] = {
    {MOUNT_ATTR_NOSUID, MOUNT_ATTR_NOSUID, "nosuid"},
    {MOUNT_ATTR_NODEV, MOUNT_ATTR_NODEV, "nodev"},
    {MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NOEXEC, "noexec"},
    {MOUNT_ATTR__ATIME, MOUNT_ATTR_NOATIME, "noatime"},
    {MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NODIRATIME, "nodiratime"},
    {MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME, "relatime"},
    {MOUNT_ATTR_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW, "nosymfollow"},
    {MOUNT_ATTR_IDMAP, MOUNT_ATTR_IDMAP, "idmapped"},
};

// The superblock flags mountinfo shows among the super options, in its order.
constexpr NamedBits kSuperOptions[] = {
    {kSbSynchronous, kSbSynchronous, "sync"},
    {kSbDirsync, kSbDirsync, "dirsync"},
    {kSbMandlock, kSbMandlock, "mand"},
    {kSbLazytime, kSbLazytime, "lazytime"},
};

// mountinfo's super options: the superblock's flags, then what statmount
// calls the mount options (the security module's, then the filesystem's).
std::string super_options(uint32_t sb_flags, const char* fs_options) {
    std::string s = named_options(sb_flags & kSbRdonly, sb_flags, kSuperOptions);
    if (fs_options && *fs_options) {
        s += ',';
        s += mountinfo::unescape(fs_options);
    }
    return s;
}

// mountinfo's optional fields for a mount's propagation.
std::vector<std::string> optional_fields(const StatmountHead& h) {
    std::vector<std::string> f;
    if (h.mnt_propagation & MS_SHARED)
        f.push_back("shared:" + std::to_string(h.mnt_peer_group));
    if (h.mnt_propagation & MS_SLAVE)
        f.push_back("master:" + std::to_string(h.mnt_master));
    if (h.mnt_propagation & MS_UNBINDABLE)
        f.push_back("unbindable");
    return f;
}

// The string at OFFSET of a statmount result, or nullptr when the kernel
// did not fill in FIELD (or the offset lies outside the result).
const char* string_at(const std::vector<char>& buf, const StatmountHead& h, uint64_t field,
                      uint32_t offset) {
    if (!(h.mask & field))
        return nullptr;
    const size_t start = sizeof(StatmountHead) + offset;
    if (start >= h.size || h.size > buf.size())
        return nullptr;
    return buf.data() + start;
}

}  // namespace

bool LiveMountView::supported(Kernel& kernel, std::string& why) {
    struct statx stx {};
    if (int rc = kernel.statx(AT_FDCWD, "/", AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE, &stx);
        rc < 0) {
        why = std::string("statx of / failed: ") + std::strerror(-rc);
        return false;
    }
    if (!(stx.stx_mask & STATX_MNT_ID_UNIQUE) ||
        !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) {
        why = "statx gives no unique mount id or mount-root attribute (Linux < 6.8)";
        return false;
    }
    std::vector<char> buf;
    if (int rc = kernel.statmount(stx.stx_mnt_id, kWanted | kStatmountSupportedMask, buf); rc < 0) {
        why = std::string("statmount failed: ") + std::strerror(-rc);
        return false;
    }
    StatmountHead h;
    std::memcpy(&h, buf.data(), sizeof h);
    const uint64_t known = h.mask & kStatmountSupportedMask ? h.supported_mask
                           : h.mask & kStatmountSbSource    ? kWanted
                                                            : h.mask;
    if ((known & kWanted) != kWanted) {
        why = "statmount does not tell a mount's options, source and subtype (Linux < 6.14)";
        return false;
    }
    return true;
}

int LiveMountView::stat_path(std::string_view path, PathStat& out) {
    for (const auto& [p, st] : recent_stats_) {
        if (p == path) {
            out = st;
            return 0;
        }
    }
    struct statx stx {};
    constexpr unsigned kMask = STATX_MNT_ID_UNIQUE | STATX_INO;
    const size_t slash = path.rfind('/');
    const int parent =
        slash == 0 || slash == std::string_view::npos ? -1 : parent_fd(path.substr(0, slash));
    const std::string p(parent < 0 ? path : path.substr(slash + 1));
    if (int rc =
            k_.statx(parent < 0 ? AT_FDCWD : parent, p.c_str(), AT_SYMLINK_NOFOLLOW, kMask, &stx);
        rc < 0)
        return rc;
    out.mount_id = stx.stx_mnt_id;
    out.mount_root = stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
    out.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
    out.ino = stx.stx_ino;
    if (recent_stats_.size() < kRecent) {
        recent_stats_.emplace_back(path, out);
    } else {
        auto& [p_slot, st_slot] = recent_stats_[recent_next_];
        p_slot.assign(path);
        st_slot = out;
        recent_next_ = (recent_next_ + 1) % kRecent;
    }
    return 0;
}

int LiveMountView::parent_fd(std::string_view dir) {
    for (const auto& [d, fd] : parents_) {
        if (d == dir)
            return fd.get();
    }
    // Only a parent reached through no symlink: a lookup from it then finds
    // what one from "/" would.
    const int rc = k_.openat2(AT_FDCWD, std::string(dir).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC,
                              0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (rc < 0)
        return -1;
    // A refresh looks into three: the mount points', the old and the new
    // sources'.
    constexpr size_t kParents = 4;
    if (parents_.size() == kParents)
        parents_.erase(parents_.begin());
    parents_.emplace_back(std::string(dir), Fd(rc));
    return rc;
}

std::optional<Mount> LiveMountView::read(uint64_t id) {
    const int rc = k_.statmount(id, kWanted, buf_);
    if (rc == -ENOENT)
        return std::nullopt;
    if (rc < 0)
        throw_errno(rc, "cannot read mount " + std::to_string(id));
    StatmountHead h;
    std::memcpy(&h, buf_.data(), sizeof h);
    const char* point = string_at(buf_, h, kStatmountMntPoint, h.mnt_point);
    // The namespace root's parent lies outside the caller's root: no path
    // reaches it.
    if (!point || !*point)
        return std::nullopt;
    Mount m;
    m.id = static_cast<long>(h.mnt_id);
    m.parent_id = static_cast<long>(h.mnt_parent_id);
    m.major = h.sb_dev_major;
    m.minor = h.sb_dev_minor;
    const char* root = string_at(buf_, h, kStatmountMntRoot, h.mnt_root);
    m.root = root ? root : "/";
    m.mount_point = point;
    m.mount_options = named_options(h.mnt_attr & MOUNT_ATTR_RDONLY, h.mnt_attr, kMountOptions);
    m.optional_fields = optional_fields(h);
    const char* type = string_at(buf_, h, kStatmountFsType, h.fs_type);
    m.fstype = type ? type : "";
    if (const char* sub = string_at(buf_, h, kStatmountFsSubtype, h.fs_subtype); sub && *sub)
        m.fstype += std::string(".") + sub;
    // mountinfo says "none" for a mount made without a source.
    const char* source = string_at(buf_, h, kStatmountSbSource, h.sb_source);
    m.source = source && *source ? source : "none";
    m.super_options = super_options(h.sb_flags, string_at(buf_, h, kStatmountMntOpts, h.mnt_opts));
    return m;
}

const Mount* LiveMountView::cached(uint64_t id) {
    if (auto it = mounts_.find(id); it != mounts_.end())
        return &it->second;
    auto m = read(id);
    if (!m)
        return nullptr;
    ids_at_[m->mount_point].push_back(id);
    return &mounts_.emplace(id, std::move(*m)).first->second;
}

std::vector<Mount> LiveMountView::stack_at(std::string_view dir) {
    if (last_valid_ && last_dir_ == dir)
        return last_stack_;
    std::vector<Mount> out;
    PathStat st;
    if (int rc = stat_path(dir, st); rc < 0) {
        if (!is_absent(rc))
            throw_errno(rc, "cannot inspect " + quoted(dir));
    } else if (st.mount_root) {
        std::optional<Mount> m = read(st.mount_id);
        if (!m)
            throw_errno(-ENOENT, "cannot read the mount at " + quoted(dir));
        // A mount root reached through a symlink is not a mount at DIR.
        // Bounded, so that a parent cycle cannot hang the walk.
        for (size_t steps = 0; m && m->mount_point == dir && steps < 4096; ++steps) {
            out.push_back(std::move(*m));
            m = parent_of(out.back());
        }
    }
    last_dir_ = dir;
    last_stack_ = out;
    last_valid_ = true;
    return out;
}

std::optional<MountedPath> LiveMountView::resolve(std::string_view path) {
    std::optional<PathStat> leaf;
    const Mount* holder = nullptr;
    std::string path_in_fs;
    if (!locate(path, leaf, holder, path_in_fs))
        return std::nullopt;
    return MountedPath{*holder, std::move(path_in_fs)};
}

bool LiveMountView::locate(std::string_view path, std::optional<PathStat>& leaf,
                           const Mount*& holder, std::string& path_in_fs) {
    // A missing leaf is held by the mount that holds its directory.
    std::string_view held = path;
    PathStat st;
    for (;;) {
        const int rc = stat_path(held, st);
        if (rc == 0)
            break;
        if ((rc != -ENOENT && rc != -ENOTDIR) || held == "/") {
            if (is_absent(rc))
                return false;
            throw_errno(rc, "cannot inspect " + quoted(held));
        }
        held = held.substr(0, std::max<size_t>(held.rfind('/'), 1));
    }
    if (held.size() == path.size())
        leaf = st;
    holder = cached(st.mount_id);
    if (!holder)
        throw_errno(-ENOENT, "cannot read the mount that holds " + quoted(path));
    // Reached through a symlink into some other place: PATH itself goes
    // through no mount point of that mount.
    if (!is_within(path, holder->mount_point))
        return false;
    std::string_view rest =
        path.substr(holder->mount_point == "/" ? 0 : holder->mount_point.size());
    if (rest.starts_with('/'))
        rest.remove_prefix(1);
    path_in_fs = mountinfo::join_path(holder->root, rest);
    return true;
}

BindTop LiveMountView::bind_top(std::string_view dir, std::string_view src) {
    BindTop b;
    PathStat at;
    if (int rc = stat_path(dir, at); rc < 0) {
        if (is_absent(rc))
            return b;
        throw_errno(rc, "cannot inspect " + quoted(dir));
    }
    if (!at.mount_root)
        return b;
    b.mounted = true;
    std::optional<PathStat> leaf;
    const Mount* holder = nullptr;
    if (!locate(src, leaf, holder, b.path_in_fs) || !leaf || leaf->dev != at.dev ||
        leaf->ino != at.ino) {
        b.path_in_fs.clear();
        return b;
    }
    b.shows_source = true;
    b.major = major(at.dev);
    b.minor = minor(at.dev);
    b.source_attrs = holder->attrs();
    b.top_attrs = top_attrs(dir, at.mount_id);
    return b;
}

uint64_t LiveMountView::top_attrs(std::string_view dir, uint64_t id) {
    if (last_valid_ && last_dir_ == dir && !last_stack_.empty())
        return last_stack_.front().attrs();
    if (last_top_ && last_top_->first == id)
        return last_top_->second;
    // The flags alone: no strings to make, less than half the cost.
    const int rc = k_.statmount(id, kStatmountMntBasic, buf_);
    if (rc < 0)
        throw_errno(rc, "cannot read the mount at " + quoted(dir));
    StatmountHead h;
    std::memcpy(&h, buf_.data(), sizeof h);
    last_top_.emplace(id, h.mnt_attr);
    return h.mnt_attr;
}

std::optional<Mount> LiveMountView::parent_of(const Mount& m) {
    if (m.parent_id == m.id)
        return std::nullopt;
    const Mount* parent = cached(static_cast<uint64_t>(m.parent_id));
    if (!parent)
        return std::nullopt;
    return *parent;
}

void LiveMountView::forget_at(std::string_view dir) {
    last_valid_ = false;
    recent_stats_.clear();
    recent_next_ = 0;
    last_top_.reset();
    // A mount at or above a parent hides (or showed) what its fd holds.
    std::erase_if(parents_, [&](const auto& p) { return is_within(p.first, dir); });
    const auto it = ids_at_.find(std::string(dir));
    if (it == ids_at_.end())
        return;
    for (const uint64_t id : it->second)
        mounts_.erase(id);
    ids_at_.erase(it);
}

void LiveMountView::record_mount(const Fd&, Mount proto, bool) {
    forget_at(proto.mount_point);
}

void LiveMountView::record_detach(std::string_view dir) {
    forget_at(dir);
}

}  // namespace nsr::reconcile
