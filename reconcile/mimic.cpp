#include "reconcile/mimic.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/path.hpp"
#include "reconcile/mount_builder.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::child_path;
using base::Fd;
using base::throw_errno;
using profile::MountEntry;

namespace {

enum class ItemKind { Directory, File, Symlink };

struct Item {
    std::string name;
    ItemKind kind;
    std::string link_target;
};

// The entries of the directory behind DIRFD, by name (snapd reads them
// sorted too, which fixes the order of the bind-backs).
std::vector<Item> list_items(Kernel& k, const Fd& dirfd, const std::string& dir,
                             const std::function<void(const std::string&)>& debug) {
    // An O_PATH fd cannot be listed: open the directory again, for reading.
    Fd readable(check_rc(k.openat(dirfd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                         "cannot read \"" + dir + "\""));
    std::vector<DirEntry> entries;
    check_rc(k.read_dir(readable.get(), entries), "cannot read \"" + dir + "\"");
    std::vector<Item> items;
    for (const DirEntry& de : entries) {
        const std::string& name = de.name;
        struct stat st {};
        if (int rc = k.fstatat(dirfd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW); rc < 0) {
            // Gone since it was listed: nothing to bind back. Any other error
            // would silently hide the entry in the mimic.
            if (rc == -ENOENT)
                continue;
            throw_errno(rc, "cannot inspect \"" + child_path(dir, name) + "\"");
        }
        if (S_ISDIR(st.st_mode)) {
            items.push_back({name, ItemKind::Directory, ""});
        } else if (S_ISREG(st.st_mode)) {
            items.push_back({name, ItemKind::File, ""});
        } else if (S_ISLNK(st.st_mode)) {
            std::string target;
            if (k.readlinkat(dirfd.get(), name.c_str(), target) == 0) {
                items.push_back({name, ItemKind::Symlink, target});
            }
        } else if (debug) {
            debug("mimic of " + dir + ": skipping " + name + " (not a file, directory or symlink)");
        }
    }
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.name < b.name; });
    return items;
}

std::string octal_mode(mode_t mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0%o", static_cast<unsigned>(mode & 07777));
    return buf;
}

}  // namespace

std::vector<MountEntry> build_mimic(MimicContext& ctx, const std::string& dir,
                                    const std::string& needed_by) {
    Kernel& k = ctx.ops.kernel();
    auto debug = [&](const std::string& s) {
        if (ctx.debug)
            ctx.debug(s);
    };
    // Held across the whole build: once the tmpfs covers DIR, this fd still
    // reaches the original directory, so no safe-keeping copy is needed.
    Fd original = ctx.fs.open_path(dir);
    struct stat st {};
    check_rc(k.fstatat(original.get(), "", &st, AT_EMPTY_PATH), "cannot inspect \"" + dir + "\"");
    const auto items = list_items(k, original, dir, ctx.debug);
    const std::string synthetic = "x-snapd.synthetic";
    const std::string owner = "x-snapd.needed-by=" + needed_by;
    const std::string data = "mode=" + octal_mode(st.st_mode) +
                             ",uid=" + std::to_string(st.st_uid) +
                             ",gid=" + std::to_string(st.st_gid);

    std::vector<MountEntry> entries;
    entries.push_back({"tmpfs",
                       dir,
                       "tmpfs",
                       {synthetic, owner, "mode=" + octal_mode(st.st_mode),
                        "uid=" + std::to_string(st.st_uid), "gid=" + std::to_string(st.st_gid)},
                       0,
                       0,
                       0});

    for (const auto& item : items) {
        if (item.kind == ItemKind::Symlink)
            continue;
        const std::string path = child_path(dir, item.name);
        const bool recursive = item.kind == ItemKind::Directory;
        MountEntry back{path, path, "none", {recursive ? "rbind" : "bind"}, 0, 0, 0};
        if (!recursive)
            back.options.push_back("x-snapd.kind=file");
        back.options.push_back(synthetic);
        back.options.push_back(owner);
        if (recursive)
            back.options.push_back("x-snapd.detach");
        entries.push_back(std::move(back));
    }

    Fd tmpfs = ctx.ops.create("tmpfs", "tmpfs", data, {});
    mountinfo::Mount tmpfs_proto;
    tmpfs_proto.mount_point = dir;
    tmpfs_proto.root = "/";
    tmpfs_proto.fstype = "tmpfs";
    tmpfs_proto.source = "tmpfs";
    tmpfs_proto.mount_options = "rw";
    tmpfs_proto.super_options = "rw," + data;

    bool attached = false;
    auto attach_tmpfs = [&] {
        // Once attached, the mimic is the next run's to own, killed or not.
        if (ctx.journal)
            ctx.journal->record_mimic(entries);
        check_rc(ctx.ops.attach(tmpfs, original, false), "cannot mount tmpfs over \"" + dir + "\"");
        ctx.view.record_mount(tmpfs, tmpfs_proto, false);
        attached = true;
    };
    // Bind-backs made while the tmpfs is detached; recorded once it is attached.
    std::vector<std::pair<Fd, mountinfo::Mount>> pending;
    try {
        if (!ctx.tuck)
            attach_tmpfs();
        for (const auto& item : items) {
            const std::string path = child_path(dir, item.name);
            if (item.kind == ItemKind::Symlink) {
                check_rc(k.symlinkat(item.link_target.c_str(), tmpfs.get(), item.name.c_str()),
                         "cannot create symlink \"" + path + "\"");
                continue;
            }
            if (item.kind == ItemKind::Directory) {
                check_rc(k.mkdirat(tmpfs.get(), item.name.c_str(), 0755),
                         "cannot create directory \"" + path + "\"");
            } else {
                int fd = k.openat(tmpfs.get(), item.name.c_str(),
                                  O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0755);
                check_rc(fd, "cannot create file \"" + path + "\"");
                ::close(fd);
            }
            const bool recursive = item.kind == ItemKind::Directory;
            int src = k.openat(original.get(), item.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
            check_rc(src, "cannot open \"" + path + "\"");
            Fd src_fd(src);
            Fd tree = ctx.ops.clone(src_fd, {0, recursive});
            mountinfo::Mount proto;
            if (ctx.view.wants_protos())
                proto = bind_proto(ctx.view, path, false);
            proto.mount_point = path;
            int rc = ctx.ops.attach_at(tree, tmpfs, item.name);
            if (rc == -EINVAL && !attached) {
                debug("mimic of " + dir + ": the kernel refuses mounts on a detached tmpfs (" +
                      std::string(std::strerror(EINVAL)) +
                      "); attaching the tmpfs first, the directory looks empty until filled");
                attach_tmpfs();
                rc = ctx.ops.attach_at(tree, tmpfs, item.name);
            }
            check_rc(rc, "cannot bind \"" + path + "\" back into the mimic");
            if (attached) {
                ctx.view.record_mount(tree, proto, false);
            } else {
                pending.emplace_back(std::move(tree), std::move(proto));
            }
        }
        if (!attached) {
            attach_tmpfs();
            for (auto& [tree, proto] : pending)
                ctx.view.record_mount(tree, proto, false);
        }
    } catch (...) {
        // A detached tree vanishes with its last fd; an attached one must go.
        if (attached) {
            ctx.ops.detach(tmpfs);
            ctx.view.record_detach(dir);
        }
        throw;
    }
    return entries;
}

}  // namespace nsr::reconcile
