#include "reconcile/secure_fs.hpp"

#include <linux/openat2.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"
#include "base/quote.hpp"

namespace nsr::reconcile {

using base::child_path;
using base::Fd;
using base::parent_dir;
using base::quote;
using base::throw_errno;

namespace {

constexpr int kPathFlags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
constexpr int kDirFlags = kPathFlags | O_DIRECTORY;

// The components of PATH, or false when PATH is not absolute and clean.
// "/" has no components.
bool split(const std::string& path, std::vector<std::string>& parts) {
    if (!base::is_clean_absolute(path))
        return false;
    parts = base::split_path(path);
    return true;
}

WriteRefused read_only(const std::string& dir) {
    return WriteRefused(dir, "cannot operate on read-only filesystem at " + quote(dir));
}

// NOUN is what the caller was making ("directory", "file", "symlink").
std::vector<std::string> split_or_throw(const std::string& path, const char* noun) {
    std::vector<std::string> parts;
    if (split(path, parts))
        return parts;
    if (path.empty() || path.front() != '/')
        throw_errno(-EINVAL,
                    std::string("cannot create ") + noun + " with relative path: " + quote(path));
    throw_errno(-EINVAL, "cannot split unclean path " + quote(path));
}

// Where and why a walk stopped.
struct WalkError {
    int err = 0;
    std::string at;
    bool symlink = false;
};

[[noreturn]] void throw_walk(const WalkError& e, const std::string& op,
                             const std::string& desired) {
    if (e.symlink) {
        std::string what = quote(e.at) + " is a symbolic link";
        throw_errno(-ELOOP, e.at == desired ? what : op + " " + quote(desired) + ": " + what);
    }
    throw_errno(e.err, op + " " + quote(desired) + (e.at == desired ? "" : " at " + quote(e.at)));
}

int open_root(Kernel& k, Fd& out, WalkError& e) {
    int fd = k.openat(AT_FDCWD, "/", kDirFlags);
    if (fd < 0) {
        e = {fd, "/"};
        return fd;
    }
    out = Fd(fd);
    return 0;
}

// Opens directory NAME in PARENT without following a symlink. A symlink is
// reported as such: O_DIRECTORY|O_NOFOLLOW gives ENOTDIR for it, the same
// errno as for a regular file, and only one of the two is an attack.
int open_dir(Kernel& k, int parent, const std::string& name, const std::string& path, Fd& out,
             WalkError& e) {
    int fd = k.openat(parent, name.c_str(), kDirFlags);
    if (fd >= 0) {
        out = Fd(fd);
        return 0;
    }
    e = {fd, path};
    struct stat st {};
    if ((fd == -ENOTDIR || fd == -ELOOP) &&
        k.fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        e = {-ELOOP, path, true};
        return -ELOOP;
    }
    return fd;
}

// Opens "/" and then the first N components of PARTS, all as directories.
int open_dirs(Kernel& k, const std::vector<std::string>& parts, size_t n, Fd& out, WalkError& e,
              std::string& dir) {
    Fd cur;
    if (int r = open_root(k, cur, e); r < 0)
        return r;
    dir = "/";
    for (size_t i = 0; i < n; ++i) {
        dir = child_path(dir, parts[i]);
        Fd next;
        if (int r = open_dir(k, cur.get(), parts[i], dir, next, e); r < 0)
            return r;
        cur = std::move(next);
    }
    out = std::move(cur);
    return 0;
}

int open_parts(Kernel& k, const std::vector<std::string>& parts, Fd& out, WalkError& e) {
    std::string dir;
    if (parts.empty())
        return open_dirs(k, parts, 0, out, e, dir);
    Fd parent;
    if (int r = open_dirs(k, parts, parts.size() - 1, parent, e, dir); r < 0)
        return r;
    const std::string path = child_path(dir, parts.back());
    int fd = k.openat(parent.get(), parts.back().c_str(), kPathFlags);
    if (fd < 0) {
        e = {fd, path};
        return fd;
    }
    Fd leaf(fd);
    struct stat st {};
    if (int r = k.fstatat(leaf.get(), "", &st, AT_EMPTY_PATH); r < 0) {
        e = {r, path};
        return r;
    }
    if (S_ISLNK(st.st_mode)) {
        e = {-ELOOP, path, true};
        return -ELOOP;
    }
    out = std::move(leaf);
    return 0;
}

// One creating walk. Everything it creates is removed again unless commit()
// is called, so a failure never leaves a directory with the wrong owner or
// mode behind for a later run to mistake for one it may keep.
class Creator {
  public:
    Creator(Kernel& k, const CreateOptions& opts, std::string desired, std::string op)
        : k_(k), opts_(opts), desired_(std::move(desired)), op_(std::move(op)) {}
    Creator(const Creator&) = delete;
    Creator& operator=(const Creator&) = delete;

    ~Creator() {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it)
            k_.unlinkat(it->parent.get(), it->name.c_str(), it->flags);
    }

    void commit() { undo_.clear(); }

    // Opens (creating what is missing) "/" and the first N components of
    // PARTS; DIR receives the path reached. The last of all PARTS, when
    // among them, is made as the leaf.
    Fd dirs(const std::vector<std::string>& parts, size_t n, std::string& dir) {
        Fd cur;
        WalkError e;
        if (open_root(k_, cur, e) < 0)
            throw_walk(e, op_, desired_);
        dir = "/";
        for (size_t i = 0; i < n; ++i) {
            std::string path = child_path(dir, parts[i]);
            cur = step(std::move(cur), dir, parts[i], path, i + 1 == parts.size());
            dir = std::move(path);
        }
        return cur;
    }

    // The restriction check on DIR before something is created in it.
    void check(int dirfd, const std::string& dir) {
        if (!lifted_ && opts_.check)
            opts_.check(dirfd, dir, desired_);
    }

    // PARENT now holds NAME, created by this walk: keep PARENT open to be
    // able to undo it, and trust the rest of the path.
    int adopt(Fd parent, const std::string& name, int unlink_flags) {
        undo_.push_back({std::move(parent), name, unlink_flags});
        lifted_ = true;
        return undo_.back().parent.get();
    }

    mode_t mode(bool leaf) const {
        return leaf ? opts_.leaf_mode.value_or(opts_.mode) : opts_.mode;
    }
    uid_t uid(bool leaf) const { return leaf ? opts_.leaf_uid.value_or(opts_.uid) : opts_.uid; }
    gid_t gid(bool leaf) const { return leaf ? opts_.leaf_gid.value_or(opts_.gid) : opts_.gid; }

    // Tells before_create that PATH is about to be created.
    void announce(const std::string& path) {
        if (opts_.before_create)
            opts_.before_create(path);
    }

    // Whether NAME in PARENT is missing, asked only when before_create
    // wants to hear of a creation; true otherwise (the creating call then
    // tells).
    bool missing(int parent, const char* name) {
        struct stat st {};
        return !opts_.before_create || k_.fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0;
    }

    // Gives a created object its owner and exact mode (the leaf's, for the
    // object the call makes); FD must not be O_PATH.
    void set_attrs(int fd, const std::string& path, const char* noun, bool leaf) {
        if (int r = k_.fchownat(fd, "", uid(leaf), gid(leaf), AT_EMPTY_PATH); r < 0)
            throw_errno(r, std::string("cannot chown ") + noun + " " + quote(path));
        // After the chown, which clears set-id bits; mkdirat and
        // openat(O_CREAT) applied the umask, so this sets the mode exactly.
        if (int r = k_.fchmod(fd, mode(leaf)); r < 0)
            throw_errno(r, std::string("cannot chmod ") + noun + " " + quote(path));
    }

  private:
    Fd step(Fd parent, const std::string& parent_path, const std::string& name,
            const std::string& path, bool leaf) {
        // snapd checks even when NAME exists: the mkdirat then just gets
        // EEXIST, but the verdict on PARENT is the same.
        struct stat st {};
        // Whether NAME is there is asked when it decides something: the
        // check, or whether to announce the creation.
        const bool exists = (!opts_.check_walked_dirs || opts_.before_create) &&
                            k_.fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (opts_.check_walked_dirs || !exists)
            check(parent.get(), parent_path);
        int r = -EEXIST;
        if (!exists) {
            announce(path);
            r = k_.mkdirat(parent.get(), name.c_str(), mode(leaf));
        }
        if (r == -EROFS)
            throw read_only(parent_path);
        if (r < 0 && r != -EEXIST)
            throw_errno(r, "cannot create directory " + quote(path));
        const bool made = r == 0;
        const int parentfd = made ? adopt(std::move(parent), name, AT_REMOVEDIR) : parent.get();
        Fd dir;
        WalkError e;
        if (open_dir(k_, parentfd, name, path, dir, e) < 0) {
            if (e.symlink)
                throw_walk(e, op_, desired_);
            throw_errno(e.err, "cannot open directory " + quote(path));
        }
        if (made) {
            int rw = k_.openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (rw < 0)
                throw_errno(rw, "cannot open directory " + quote(path));
            set_attrs(Fd(rw).get(), path, "directory", leaf);
        }
        return dir;
    }

    struct Undo {
        Fd parent;
        std::string name;
        int flags;
    };

    Kernel& k_;
    const CreateOptions& opts_;
    std::string desired_;
    std::string op_;
    bool lifted_ = false;
    std::vector<Undo> undo_;
};

}  // namespace

bool SecureFs::open_fast(const std::string& path, int flags, Fd& out) {
    if (!openat2_works_)
        return false;
    // RESOLVE_NO_SYMLINKS refuses a symlink in any component, the last one
    // included (without O_NOFOLLOW), as the walk does; ".." cannot occur in
    // a clean path.
    const int fd =
        k_.openat2(AT_FDCWD, path.c_str(), flags, 0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0) {
        out = Fd(fd);
        return true;
    }
    // Kernels before 5.6, or a seccomp filter that does not know the call.
    if (fd == -ENOSYS || fd == -EPERM)
        openat2_works_ = false;
    return false;
}

int SecureFs::try_open_path(const std::string& path, Fd& out) {
    std::vector<std::string> parts;
    if (!split(path, parts))
        return -EINVAL;
    if (open_fast(path, kPathFlags & ~O_NOFOLLOW, out))
        return 0;
    // Failed, or not available: the walk gives the result, and says which
    // component it stopped at.
    WalkError e;
    return open_parts(k_, parts, out, e);
}

bool SecureFs::open_existing_dir(const std::string& path, Fd& out) {
    return base::is_clean_absolute(path) && open_fast(path, kDirFlags & ~O_NOFOLLOW, out);
}

Fd SecureFs::open_path(const std::string& path) {
    std::vector<std::string> parts;
    if (!split(path, parts))
        throw_errno(-EINVAL, "cannot open " + quote(path) + ": not an absolute clean path");
    Fd out;
    if (open_fast(path, kPathFlags & ~O_NOFOLLOW, out))
        return out;
    WalkError e;
    if (open_parts(k_, parts, out, e) < 0)
        throw_walk(e, "cannot open", path);
    return out;
}

Fd SecureFs::make_dirs(const std::string& path, const CreateOptions& opts) {
    const auto parts = split_or_throw(path, "directory");
    Creator c(k_, opts, path, "cannot create directory");
    std::string dir;
    Fd fd = c.dirs(parts, parts.size(), dir);
    c.commit();
    return fd;
}

Fd SecureFs::make_file(const std::string& path, const CreateOptions& opts) {
    const auto parts = split_or_throw(path, "file");
    if (parts.empty())
        throw_errno(-EINVAL, "cannot create non-file path: " + quote(path));
    Creator c(k_, opts, path, "cannot create file");
    std::string dir;
    Fd parent = c.dirs(parts, parts.size() - 1, dir);
    const char* leaf = parts.back().c_str();
    c.check(parent.get(), dir);
    int parentfd = parent.get();
    int w = -EEXIST;
    if (c.missing(parentfd, leaf)) {
        c.announce(path);
        w = k_.openat(parentfd, leaf, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                      c.mode(true));
    }
    if (w >= 0) {
        Fd file(w);
        parentfd = c.adopt(std::move(parent), parts.back(), 0);
        c.set_attrs(file.get(), path, "file", true);
    } else if (w == -EROFS) {
        throw read_only(dir);
    } else if (w != -EEXIST) {
        throw_errno(w, "cannot create file " + quote(path));
    }
    // Reopened as O_PATH whether new or old, so callers get one kind of fd.
    int fd = k_.openat(parentfd, leaf, kPathFlags);
    if (fd < 0)
        throw_errno(fd, "cannot open file " + quote(path));
    Fd out(fd);
    struct stat st {};
    if (int r = k_.fstatat(out.get(), "", &st, AT_EMPTY_PATH); r < 0)
        throw_errno(r, "cannot inspect file " + quote(path));
    if (!S_ISREG(st.st_mode))
        throw std::runtime_error("cannot create file " + quote(path) + ": not a regular file");
    c.commit();
    return out;
}

void SecureFs::make_symlink(const std::string& path, const std::string& target,
                            const CreateOptions& opts) {
    const auto parts = split_or_throw(path, "symlink");
    if (parts.empty())
        throw_errno(-EINVAL, "cannot create non-file path: " + quote(path));
    const std::string op = "cannot create symlink " + quote(path);
    Creator c(k_, opts, path, "cannot create symlink");
    std::string dir;
    Fd parent = c.dirs(parts, parts.size() - 1, dir);
    const char* leaf = parts.back().c_str();
    c.check(parent.get(), dir);
    int r = -EEXIST;
    if (c.missing(parent.get(), leaf)) {
        c.announce(path);
        r = k_.symlinkat(target.c_str(), parent.get(), leaf);
    }
    if (r == 0) {
        int parentfd = c.adopt(std::move(parent), parts.back(), 0);
        if (int rc = k_.fchownat(parentfd, leaf, c.uid(true), c.gid(true), AT_SYMLINK_NOFOLLOW);
            rc < 0)
            throw_errno(rc, "cannot chown symlink " + quote(path));
        c.commit();
        return;
    }
    if (r == -EROFS)
        throw read_only(dir);
    if (r != -EEXIST)
        throw_errno(r, op);
    int fd = k_.openat(parent.get(), leaf, kPathFlags);
    if (fd < 0)
        throw_errno(fd, op + ": cannot open existing file");
    Fd existing(fd);
    struct stat st {};
    if (int rc = k_.fstatat(existing.get(), "", &st, AT_EMPTY_PATH); rc < 0)
        throw_errno(rc, op + ": cannot inspect existing file");
    if (!S_ISLNK(st.st_mode))
        throw std::runtime_error(op + ": existing file in the way");
    std::string current;
    if (int rc = k_.readlinkat(existing.get(), "", current); rc < 0)
        throw_errno(rc, op + ": cannot read existing symbolic link");
    if (current != target)
        throw std::runtime_error(op + ": existing symbolic link in the way (it points to " +
                                 quote(current) + ")");
    c.commit();
}

int SecureFs::try_open_parent(const std::string& path, Fd& parent, std::string& leaf) {
    std::vector<std::string> parts;
    if (!split(path, parts))
        return -EINVAL;
    if (parts.empty())
        return -EBUSY;
    if (!open_fast(parent_dir(path), kDirFlags & ~O_NOFOLLOW, parent)) {
        WalkError e;
        std::string dir;
        if (int r = open_dirs(k_, parts, parts.size() - 1, parent, e, dir); r < 0)
            return r;
    }
    leaf = parts.back();
    return 0;
}

int SecureFs::remove(const std::string& path) {
    Fd parent;
    std::string name;
    if (int r = try_open_parent(path, parent, name); r < 0)
        return r;
    const char* leaf = name.c_str();
    int r = k_.unlinkat(parent.get(), leaf, 0);
    // Linux says EISDIR where POSIX says EPERM.
    if (r == -EISDIR)
        r = k_.unlinkat(parent.get(), leaf, AT_REMOVEDIR);
    return r;
}

}  // namespace nsr::reconcile
