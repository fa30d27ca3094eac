#include "reconcile/executor.hpp"

#include <sys/mount.h>

#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <system_error>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/names.hpp"
#include "base/path.hpp"
#include "profile/bind_flags.hpp"
#include "profile/flags.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/change_groups.hpp"
#include "reconcile/mimic.hpp"
#include "reconcile/mount_ops.hpp"
#include "reconcile/needed.hpp"
#include "reconcile/overlay_mount.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/table_update.hpp"
#include "reconcile/tuck_refusal.hpp"

namespace nsr::reconcile {

using base::check_rc;
using base::clean_path;
using base::Fd;
using base::is_within;
using base::throw_errno;
using profile::EntryKind;
using profile::MountEntry;
using profile::Origin;

namespace {

// x-snapd.ignore-missing and a missing source or target: skipped, silently.
struct IgnoredMissing : std::runtime_error {
    IgnoredMissing() : std::runtime_error("mount source or target is missing") {}
};

std::string errno_text(int err) {
    return std::strerror(err);
}

bool is_fatal(const MountEntry& e) {
    auto o = profile::origin(e);
    return o == Origin::Layout || o == Origin::Overname;
}

}  // namespace

std::string_view status_name(Status s) {
    static constexpr base::Named<Status> kNames[] = {{Status::Done, "done"},
                                                     {Status::AlreadyDone, "already done"},
                                                     {Status::Failed, "failed"},
                                                     {Status::Skipped, "skipped"}};
    return base::name_of(kNames, s);
}

struct Executor::Impl {
    Kernel& k;
    mountinfo::MountTable& table;
    const FsView& fs;
    Assumptions& as;
    const ExecOptions& opt;
    SecureFs sfs{k};
    MountOps ops{k};
    // The plan being run and the position of the change at hand.
    const std::vector<Change>* plan = nullptr;
    size_t index = 0;
    const ChangeGroups* groups = nullptr;
    // Plan positions already carried out together with an earlier change,
    // with the detail to report for them.
    std::map<size_t, std::string> done_with{};
    // Tmpfs unmounts already tried with everything in them.
    std::set<size_t> tmpfs_tried{};

    void debug(const std::string& s) const {
        if (opt.debug)
            opt.debug(s);
    }

    // Where bind sources are resolved: the host's table in a container.
    const mountinfo::MountTable& sources() const {
        return opt.source_table ? *opt.source_table : table;
    }

    // --- making mount points -------------------------------------------

    void create_path(const MountEntry& e, const std::string& path, bool poke_holes,
                     std::vector<MountEntry>& made) {
        if (profile::is_ignore_missing(e))
            throw IgnoredMissing();
        CreateOptions co = as.create_options(k, path);
        if (auto m = profile::mode(e))
            co.mode = *m;
        if (auto u = profile::uid(e))
            co.uid = *u;
        if (auto g = profile::gid(e))
            co.gid = *g;
        try {
            switch (profile::kind(e)) {
                case EntryKind::Directory:
                    sfs.make_dirs(path, co);
                    break;
                case EntryKind::File:
                    sfs.make_file(path, co);
                    break;
                case EntryKind::Symlink:
                    sfs.make_symlink(path, profile::symlink_target(e).value_or(""), co);
                    break;
                case EntryKind::EnsureDir:
                    make_ensure_dir(e, path);
                    break;
                case EntryKind::Unknown:
                    break;
            }
        } catch (const WriteRefused& err) {
            if (!poke_holes)
                throw;
            poke_hole(e, path, err.where(), err.what(), made);
        }
    }

    void poke_hole(const MountEntry& e, const std::string& path, const std::string& where,
                   const std::string& why, std::vector<MountEntry>& made) {
        debug("need a writable mimic over " + where + " to create " + path + " (" + why + ")");
        MimicContext ctx{ops, sfs, table, opt.tuck, opt.debug};
        std::vector<MountEntry> mimic;
        try {
            mimic = build_mimic(ctx, where, profile::entry_id(e));
        } catch (const std::exception& err) {
            throw std::runtime_error("cannot create writable mimic over \"" + where +
                                     "\": " + err.what());
        }
        for (const auto& m : mimic) {
            as.record({Action::Mount, m, std::nullopt});
            made.push_back(m);
        }
        create_path(e, path, false, made);
    }

    void make_ensure_dir(const MountEntry& e, const std::string& path) {
        auto parent = profile::must_exist_dir(e);
        if (!parent)
            throw std::runtime_error("ensure-dir entry without x-snapd.must-exist-dir");
        const std::string base = clean_path(*parent);
        if (!is_within(path, base) || path == base) {
            throw std::runtime_error("cannot create \"" + path + "\": not below \"" + base + "\"");
        }
        if (fs.lstat(base) != FileType::Directory) {
            throw std::runtime_error("parent directory \"" + base + "\" does not exist");
        }
        CreateOptions co;
        co.mode = 0700;
        co.uid = opt.uid;
        co.gid = opt.gid;
        sfs.make_dirs(path, co);
    }

    void ensure_target(const MountEntry& e, std::vector<MountEntry>& made) {
        const std::string dir = clean_path(e.dir);
        const FileType t = fs.lstat(dir);
        const EntryKind kind = profile::kind(e);
        if (t == FileType::Missing) {
            create_path(e, dir, kind != EntryKind::EnsureDir, made);
            return;
        }
        switch (kind) {
            case EntryKind::Directory:
                if (t != FileType::Directory) {
                    throw std::runtime_error("cannot use \"" + dir +
                                             "\" as mount point: not a directory");
                }
                break;
            case EntryKind::File:
                if (t != FileType::Regular) {
                    throw std::runtime_error("cannot use \"" + dir +
                                             "\" as mount point: not a regular file");
                }
                break;
            case EntryKind::Symlink:
                if (t != FileType::Symlink) {
                    throw std::runtime_error("cannot create symlink in \"" + dir +
                                             "\": existing file in the way");
                }
                create_path(e, dir, false, made);
                break;
            case EntryKind::EnsureDir:
                if (t != FileType::Directory) {
                    throw std::runtime_error("cannot create ensure-dir target \"" + dir +
                                             "\": existing file in the way");
                }
                break;
            case EntryKind::Unknown:
                break;
        }
    }

    void ensure_source(const MountEntry& e, std::vector<MountEntry>& made) {
        // A container's sources were taken on the host (HostSources).
        if (!profile::is_bind(e) || opt.host_sources)
            return;
        const std::string src = clean_path(e.name);
        const FileType t = fs.lstat(src);
        if (t == FileType::Missing) {
            create_path(e, src, profile::origin(e) == Origin::Layout, made);
            return;
        }
        if (profile::kind(e) == EntryKind::File && t != FileType::Regular) {
            throw std::runtime_error("cannot use \"" + src +
                                     "\" as bind-mount source: not a regular file");
        }
        if (profile::kind(e) == EntryKind::Directory && t != FileType::Directory) {
            throw std::runtime_error("cannot use \"" + src +
                                     "\" as bind-mount source: not a directory");
        }
    }

    // --- mounting ------------------------------------------------------

    // Builds the entry's mount detached, with its flags, plus what the table
    // should say about it.
    std::pair<Fd, mountinfo::Mount> build(const MountEntry& e, const profile::MountFlags& flags) {
        const unsigned long attrs = flags.flags & ~(kPropagationFlags | MS_REC | MS_BIND);
        if (profile::is_bind(e)) {
            const std::string src = clean_path(e.name);
            // A bind gets exactly the access flags its entry names, as
            // snapd's read-only remount leaves it; none named: the source's.
            // runc's rules for containers (x-nsr.top-flags, x-nsr.rro, ...):
            // profile/bind_flags.hpp.
            const MountAttrs mattrs{attrs, profile::is_rbind(e), true, profile::is_top_flags(e)};
            Fd tree;
            if (opt.host_sources) {
                tree = opt.host_sources->take_bind(clean_path(e.dir));
                ops.set_attrs(tree, mattrs);
            } else {
                tree = ops.clone(sfs.open_path(src), mattrs);
            }
            if (auto rec = profile::recursive_attrs(e); !rec.empty())
                check_rc(ops.set_tree_attrs(tree, rec.set, rec.clear),
                         "cannot set the recursive flags of the bind of \"" + src + "\"");
            return {std::move(tree), bind_proto(sources(), src, attrs & MS_RDONLY)};
        }
        if (e.type == "overlay" && opt.host_sources)
            return opt.host_sources->take_overlay(clean_path(e.dir));
        if (e.type == "overlay")
            return overlay_build(k, sfs, e, attrs, opt.debug);
        Fd tree = ops.create(e.type, e.name, flags.data, {attrs, false});
        mountinfo::Mount m;
        m.root = "/";
        m.fstype = e.type;
        m.source = e.name;
        m.mount_options = (attrs & MS_RDONLY) ? "ro" : "rw";
        m.super_options = flags.data;
        return {std::move(tree), m};
    }

    // A mount carried by a replacement: made on the new mount while it was
    // detached, recorded once that is attached.
    struct Carried {
        size_t index;
        Fd tree;
        mountinfo::Mount proto;
    };

    // Opens REL (below the root of the detached TREE) without following
    // symlinks, and checks it is the mount point KIND needs. "" or the why not.
    std::string open_in_tree(const Fd& tree, const std::string& rel, EntryKind kind, Fd& out) {
        Fd cur;
        size_t pos = 0;
        while (true) {
            const size_t slash = rel.find('/', pos);
            const bool last = slash == std::string::npos;
            const std::string name = rel.substr(pos, last ? std::string::npos : slash - pos);
            const int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY);
            int fd = k.openat(cur ? cur.get() : tree.get(), name.c_str(), flags);
            if (fd < 0)
                return "cannot open " + name + " in the new mount: " + errno_text(-fd);
            cur = Fd(fd);
            if (last)
                break;
            pos = slash + 1;
        }
        struct stat st {};
        check_rc(k.fstatat(cur.get(), "", &st, AT_EMPTY_PATH), "cannot inspect " + rel);
        const bool fits = kind == EntryKind::Directory ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
        if (!fits)
            return "its mount point in the new mount is of another type";
        out = std::move(cur);
        return "";
    }

    // Makes the mount of the change at I on TREE (the detached new mount for
    // DIR). "" or why it cannot.
    std::string carry(const Fd& tree, const std::string& dir, size_t i,
                      std::vector<Carried>& carried) {
        const MountEntry& e = (*plan)[i].entry;
        const std::string cdir = clean_path(e.dir);
        const EntryKind kind = profile::kind(e);
        if (profile::is_bind(e)) {
            const FileType t = fs.lstat(clean_path(e.name));
            if (t != (kind == EntryKind::Directory ? FileType::Directory : FileType::Regular))
                return "its source is missing or of another type";
        }
        Fd point;
        std::string why =
            open_in_tree(tree, cdir.substr(dir.size() + (dir == "/" ? 0 : 1)), kind, point);
        if (!why.empty())
            return why;
        const auto flags = profile::options_to_flags(e.options);
        auto [child, proto] = build(e, flags);
        int rc = ops.attach(child, point, false);
        if (rc < 0)
            return "the kernel refused to mount on the detached new mount (" + errno_text(-rc) +
                   ")";
        proto.mount_point = cdir;
        carried.push_back({i, std::move(child), std::move(proto)});
        return "";
    }

    // The later mounts below DIR that can go on TREE (the detached new mount
    // for DIR) before it is attached: they then appear together with it,
    // instead of after the replaced mount took the old ones away.
    std::vector<Carried> carry_children(const Fd& tree, const std::string& dir) {
        std::vector<Carried> carried;
        for (size_t i : groups->mounts_carried_by(index)) {
            std::string why;
            try {
                why = carry(tree, dir, i, carried);
            } catch (const std::exception& err) {
                why = err.what();
            }
            if (!why.empty()) {
                debug("replace at " + dir + ": the mount at " + clean_path((*plan)[i].entry.dir) +
                      " is made after the replacement, not with it: " + why);
                break;
            }
        }
        return carried;
    }

    // Mounts the entry at its (existing) mount point. With REPLACES, the new
    // mount goes beneath the old one, which is then detached. A replacement
    // (WITH_CHILDREN) takes along the later mounts below it that it can.
    void mount(const MountEntry& e, const MountEntry* replaces, bool with_children) {
        if (!is_mount_kind(e))
            return;
        const std::string dir = clean_path(e.dir);
        const auto flags = profile::options_to_flags(e.options);
        auto [tree, proto] = build(e, flags);
        proto.mount_point = dir;
        // Propagation is set once the mount is attached, and would then reach
        // the carried mounts too.
        std::vector<Carried> carried;
        if (with_children && opt.tuck && !(flags.flags & kPropagationFlags))
            carried = carry_children(tree, dir);
        Fd target = sfs.open_path(dir);
        bool beneath = false;
        if (replaces) {
            if (!opt.tuck) {
                debug("replace at " + dir + ": tucking disabled, unmounting first");
            } else {
                int rc = ops.attach(tree, target, true);
                if (rc == 0) {
                    beneath = true;
                } else {
                    debug("replace at " + dir + ": the kernel refused to mount beneath (" +
                          errno_text(-rc) + ": " + beneath_refusal(table, dir, -rc) +
                          "); unmounting the old mount first, " + dir +
                          " shows what lies under it until the new mount is attached");
                }
            }
            if (beneath) {
                record_mount(k, table, tree, proto, true);
                int rc = ops.detach(target);
                if (rc < 0) {
                    // The old mount now sits on the new one, so nothing can
                    // take the new one down without the old: one more try
                    // before leaving both, the new one hidden and unrecorded.
                    debug("replace at " + dir + ": cannot detach the replaced mount (" +
                          errno_text(-rc) + "); trying once more");
                    rc = ops.detach(target);
                }
                if (rc < 0)
                    throw_errno(rc, "cannot detach the replaced mount at \"" + dir + "\"");
                record_detach(table, dir);
            } else {
                int rc = ops.detach(target);
                if (rc < 0)
                    throw_errno(rc, "cannot detach \"" + dir + "\"");
                record_detach(table, dir);
                target = sfs.open_path(dir);
            }
        }
        if (!beneath) {
            int rc = ops.attach(tree, target, false);
            if (rc < 0)
                throw_errno(rc, "cannot mount at \"" + dir + "\"");
            record_mount(k, table, tree, proto, false);
        }
        for (auto& c : carried) {
            record_mount(k, table, c.tree, c.proto, false);
            done_with[c.index] = "mounted on the new mount at " + dir + " before it was attached";
        }
        if (unsigned long prop = flags.flags & kPropagationFlags) {
            const bool rec = e.has_option("rshared") || e.has_option("rslave") ||
                             e.has_option("rprivate") || e.has_option("runbindable");
            int rc = ops.set_propagation(tree, prop, rec);
            if (rc < 0) {
                // Leave nothing behind that the profile would not record.
                Fd top = sfs.open_path(dir);
                ops.detach(top);
                record_detach(table, dir);
                throw_errno(rc, "cannot change mount propagation of \"" + dir + "\"");
            }
        }
    }

    // --- unmounting ----------------------------------------------------

    void unmount(const MountEntry& e) {
        const std::string dir = clean_path(e.dir);
        switch (profile::kind(e)) {
            case EntryKind::Symlink: {
                int rc = sfs.remove(dir);
                if (rc < 0)
                    throw_errno(rc, "cannot remove symlink \"" + dir + "\"");
                return;
            }
            case EntryKind::EnsureDir:
            case EntryKind::Unknown:
                return;
            default:
                break;
        }
        Fd target;
        int rc = sfs.try_open_path(dir, target);
        if (rc == -ENOENT)
            return;  // the mount point itself is gone
        if (rc < 0)
            throw_errno(rc, "cannot open \"" + dir + "\"");
        if (profile::is_detach(e)) {
            rc = ops.detach(target);
        } else {
            target = Fd();  // an open fd would keep the mount busy
            rc = ops.unmount(dir);
        }
        if (rc < 0)
            throw_errno(rc, "cannot unmount \"" + dir + "\"");
        record_detach(table, dir);
        remove_placeholder(e, dir);
    }

    // After an unmount, an empty directory or file left at the mount point
    // is removed, with snapd's tolerances.
    void remove_placeholder(const MountEntry& e, const std::string& dir) {
        Fd fd;
        int rc = sfs.try_open_path(dir, fd);
        if (rc == -ENOENT)
            return;
        if (rc < 0)
            throw_errno(rc, "cannot open \"" + dir + "\"");
        struct statfs sfsb {};
        if (k.fstatfs(fd.get(), &sfsb) == 0 && sfsb.f_type == kSquashfsMagic)
            return;
        if (profile::kind(e) == EntryKind::File) {
            struct stat st {};
            if (k.fstatat(fd.get(), "", &st, AT_EMPTY_PATH) == 0 && st.st_size != 0)
                return;
        }
        fd = Fd();
        rc = sfs.remove(dir);
        if (rc == 0 || rc == -EROFS || rc == -EBUSY || rc == -ENOENT)
            return;
        if (profile::kind(e) == EntryKind::Directory && (rc == -ENOTEMPTY || rc == -EEXIST))
            return;
        throw_errno(rc, "cannot remove \"" + dir + "\"");
    }

    // --- one change ----------------------------------------------------

    void perform(const Change& c, Outcome& o) {
        switch (c.action) {
            case Action::Keep:
            case Action::Mount:
            case Action::Replace:
                ensure_target(c.entry, o.synthesized);
                ensure_source(c.entry, o.synthesized);
                mount(c.entry, replaced(c), c.action == Action::Replace);
                break;
            case Action::Unmount:
                unmount(c.entry);
                break;
        }
    }

    // The unmount at I leaves with a later change's detach (ChangeGroups):
    // it is not made on its own.
    void leave_with_later_detach(size_t i) {
        const auto& leaving = groups->unmounts_leaving_with();
        const auto it = leaving.find(i);
        if (it == leaving.end())
            return;
        const Change& with = (*plan)[it->second];
        if (with.action == Action::Replace) {
            // Kept when the tmpfs holding it was already detached whole.
            done_with.emplace(i, "left for the replacement at " + clean_path(with.entry.dir) +
                                     " to take down with the old mount, and to mount again");
        } else if (tmpfs_tried.insert(it->second).second) {
            unmount_tmpfs_whole(i, it->second);
        }
    }

    // Unmounts of what lies in a tmpfs, right before the tmpfs's own
    // unmount (at LAST): one by one, a reader would see the tmpfs emptied
    // step by step. Detaching the tmpfs first (at FIRST, the first of them)
    // takes them all at once, and the original directory shows again in
    // one step.
    void unmount_tmpfs_whole(size_t first, size_t last) {
        const Change& t = (*plan)[last];
        const std::string dir = clean_path(t.entry.dir);
        if (!reconcile::needed(t, table, fs, opt.source_table).needed)
            return;
        std::vector<size_t> leaving;
        for (size_t i = first; i < last; ++i) {
            if (reconcile::needed((*plan)[i], table, fs, opt.source_table).needed)
                leaving.push_back(i);
        }
        try {
            unmount(t.entry);
        } catch (const std::exception& err) {
            debug("cannot detach the tmpfs at " + dir + " with everything in it (" + err.what() +
                  "); unmounting what is in it one by one");
            return;
        }
        for (size_t i : leaving)
            done_with[i] = "detached together with the tmpfs at " + dir;
        done_with[last] = "detached, with everything in it";
    }

    // The old mount a replacement really has to take down: none when the
    // old entry is not what is mounted there any more.
    const MountEntry* replaced(const Change& c) const {
        if (c.action != Action::Replace || !c.replaces)
            return nullptr;
        Change old{Action::Unmount, *c.replaces, std::nullopt};
        if (!reconcile::needed(old, table, fs, opt.source_table).needed)
            return nullptr;
        return &*c.replaces;
    }
};

Executor::Executor(Kernel& kernel, mountinfo::MountTable& table, const FsView& fs,
                   Assumptions& assumptions, ExecOptions options)
    : kernel_(kernel),
      table_(table),
      fs_(fs),
      assumptions_(assumptions),
      options_(std::move(options)) {}

Result Executor::execute(const std::vector<Change>& changes) {
    Impl impl{kernel_, table_, fs_, assumptions_, options_};
    const ChangeGroups groups(changes);
    impl.plan = &changes;
    impl.groups = &groups;
    Result result;
    // Entries that were in place before this run and still are, in the plan's
    // (reverse log) order; saved in log order, unlike snapd (see README).
    std::vector<MountEntry> prior;
    // Positions in PRIOR of the entries whose unmount failed.
    std::vector<size_t> failed_unmounts;
    std::vector<MountEntry> added;
    size_t i = 0;
    for (; i < changes.size(); ++i) {
        const Change& c = changes[i];
        Outcome o{c, Status::Done, "", {}};
        impl.index = i;
        if (options_.tuck)
            impl.leave_with_later_detach(i);
        if (auto early = impl.done_with.find(i); early != impl.done_with.end()) {
            o.detail = early->second;
        } else if (const Verdict v = needed(c, table_, fs_, options_.source_table); !v.needed) {
            o.status = Status::AlreadyDone;
            o.detail = v.reason;
        } else {
            try {
                impl.perform(c, o);
                if (c.action == Action::Keep)
                    o.detail = "re-mounted: " + v.reason;
            } catch (const IgnoredMissing& e) {
                o.status = Status::Skipped;
                o.detail = e.what();
            } catch (const std::exception& e) {
                o.status = Status::Failed;
                o.detail = e.what();
            }
        }
        for (const auto& s : o.synthesized)
            added.push_back(s);
        const bool ok = o.status == Status::Done || o.status == Status::AlreadyDone;
        if (ok)
            assumptions_.record(c);
        switch (c.action) {
            case Action::Keep:
                if (ok)
                    prior.push_back(c.entry);
                break;
            case Action::Unmount:
                if (o.status == Status::Failed) {
                    failed_unmounts.push_back(prior.size());
                    prior.push_back(c.entry);
                }
                break;
            case Action::Mount:
            case Action::Replace:
                if (ok)
                    added.push_back(c.entry);
                if (!ok && c.action == Action::Replace && c.replaces &&
                    impl.replaced(c) != nullptr) {
                    prior.push_back(*c.replaces);
                }
                break;
        }
        const bool fatal = o.status == Status::Failed && is_fatal(c.entry);
        result.outcomes.push_back(std::move(o));
        if (fatal) {
            result.fatal = true;
            ++i;
            break;
        }
    }
    // After a fatal error, what was not unmounted is still there.
    for (; i < changes.size(); ++i) {
        const Change& c = changes[i];
        if (impl.done_with.count(i)) {
            // Carried out with an earlier change, before the error.
            if (c.action == Action::Mount || c.action == Action::Replace)
                added.push_back(c.entry);
            continue;
        }
        if (c.action == Action::Keep || c.action == Action::Unmount)
            prior.push_back(c.entry);
        if (c.action == Action::Replace && c.replaces)
            prior.push_back(*c.replaces);
    }
    // A failed unmount stays recorded only while its mount is there: the
    // failure may have come after the mount went (removing the
    // placeholder), and a later detach of a mount above it takes it along.
    for (auto it = failed_unmounts.rbegin(); it != failed_unmounts.rend(); ++it) {
        if (!needed({Action::Unmount, prior[*it], std::nullopt}, table_, fs_, options_.source_table)
                 .needed)
            prior.erase(prior.begin() + static_cast<std::ptrdiff_t>(*it));
    }
    result.new_current.entries.assign(prior.rbegin(), prior.rend());
    result.new_current.entries.insert(result.new_current.entries.end(), added.begin(), added.end());
    for (auto& e : result.new_current.entries)
        e.line = 0;
    return result;
}

}  // namespace nsr::reconcile
