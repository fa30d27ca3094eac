#include "reconcile/mount_points.hpp"

#include "base/path.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/mimic.hpp"

namespace nsr::reconcile {

using base::clean_path;
using base::is_within;

using profile::EntryKind;
using profile::MountEntry;
using profile::Origin;

void MountPoints::create_path(const MountEntry& e, const std::string& path, bool poke_holes,
                              std::vector<MountEntry>& made) {
    if (profile::is_ignore_missing(e))
        throw IgnoredMissing();
    CreateOptions co = ctx_.assumptions.create_options(ctx_.kernel, path);
    // Only the entry's own mount point gets its x-snapd.mode/uid/gid: the
    // directories made on the way keep the defaults (CreateOptions).
    co.leaf_mode = profile::mode(e);
    co.leaf_uid = profile::uid(e);
    co.leaf_gid = profile::gid(e);
    co.before_create = announce_creation();
    try {
        switch (profile::kind(e)) {
            case EntryKind::Directory:
                ctx_.sfs.make_dirs(path, co);
                break;
            case EntryKind::File:
                ctx_.sfs.make_file(path, co);
                break;
            case EntryKind::Symlink:
                ctx_.sfs.make_symlink(path, profile::symlink_target(e).value_or(""), co);
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

void MountPoints::poke_hole(const MountEntry& e, const std::string& path, const std::string& where,
                            const std::string& why, std::vector<MountEntry>& made) {
    ctx_.debug("need a writable mimic over " + where + " to create " + path + " (" + why + ")");
    ctx_.flush_pile_near(where);
    MimicContext mc{ctx_.ops,          ctx_.sfs,           ctx_.view,
                    ctx_.options.tuck, ctx_.options.debug, ctx_.options.journal};
    std::vector<MountEntry> mimic;
    try {
        mimic = build_mimic(mc, where, profile::entry_id(e));
    } catch (const std::exception& err) {
        throw std::runtime_error("cannot create writable mimic over \"" + where +
                                 "\": " + err.what());
    }
    for (const auto& m : mimic) {
        ctx_.assumptions.record({Action::Mount, m, std::nullopt});
        made.push_back(m);
    }
    create_path(e, path, false, made);
}

void MountPoints::make_ensure_dir(const MountEntry& e, const std::string& path) {
    auto parent = profile::must_exist_dir(e);
    if (!parent)
        throw std::runtime_error("ensure-dir entry without x-snapd.must-exist-dir");
    const std::string base = clean_path(*parent);
    if (!is_within(path, base) || path == base) {
        throw std::runtime_error("cannot create \"" + path + "\": not below \"" + base + "\"");
    }
    if (ctx_.fs.lstat(base) != FileType::Directory) {
        throw std::runtime_error("parent directory \"" + base + "\" does not exist");
    }
    CreateOptions co;
    co.mode = 0700;
    co.uid = ctx_.options.uid;
    co.gid = ctx_.options.gid;
    co.before_create = announce_creation();
    ctx_.sfs.make_dirs(path, co);
}

std::function<void(const std::string&)> MountPoints::announce_creation() const {
    Journal* journal = ctx_.options.journal;
    if (!journal)
        return {};
    return [journal](const std::string& path) { journal->record_created(path); };
}

std::optional<OpenedPoints> MountPoints::open_existing(const MountEntry& e) {
    if (profile::kind(e) != EntryKind::Directory || !is_mount_kind(e) || ctx_.options.host_sources)
        return std::nullopt;
    OpenedPoints opened;
    if (!ctx_.sfs.open_existing_dir(clean_path(e.dir), opened.target))
        return std::nullopt;
    if (profile::is_bind(e) && !ctx_.sfs.open_existing_dir(clean_path(e.name), opened.source))
        return std::nullopt;
    return opened;
}

void MountPoints::ensure_target(const MountEntry& e, std::vector<MountEntry>& made) {
    const std::string dir = clean_path(e.dir);
    const FileType t = ctx_.fs.lstat(dir);
    const EntryKind kind = profile::kind(e);
    if (t == FileType::Missing) {
        create_path(e, dir, kind != EntryKind::EnsureDir, made);
        return;
    }
    // What an existing mount point of each kind must be, and what is said
    // when it is something else.
    static constexpr struct {
        EntryKind kind;
        FileType type;
        const char* before;
        const char* after;
    } kWanted[] = {
        {EntryKind::Directory, FileType::Directory, "cannot use \"",
         "\" as mount point: not a directory"},
        {EntryKind::File, FileType::Regular, "cannot use \"",
         "\" as mount point: not a regular file"},
        {EntryKind::Symlink, FileType::Symlink, "cannot create symlink in \"",
         "\": existing file in the way"},
        {EntryKind::EnsureDir, FileType::Directory, "cannot create ensure-dir target \"",
         "\": existing file in the way"},
    };
    for (const auto& w : kWanted) {
        if (w.kind == kind && t != w.type)
            throw std::runtime_error(w.before + dir + w.after);
    }
    if (kind == EntryKind::Symlink)
        create_path(e, dir, false, made);
}

void MountPoints::ensure_source(const MountEntry& e, std::vector<MountEntry>& made) {
    // A container's sources were taken on the host (HostSources).
    if (!profile::is_bind(e) || ctx_.options.host_sources)
        return;
    const std::string src = clean_path(e.name);
    const FileType t = ctx_.fs.lstat(src);
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

}  // namespace nsr::reconcile
