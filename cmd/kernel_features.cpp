#include "cmd/kernel_features.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/names.hpp"
#include "cmd/ns_file.hpp"
#include "mntns/child.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "reconcile/kernel.hpp"

// Debian 12's headers predate these (Linux 6.8); the numbers are the same
// on every architecture.
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif

namespace nsr::cmd {

namespace {

using State = KernelFeature::State;
using base::Fd;

struct Verdict {
    State state;
    std::string detail;
};

Verdict yes() {
    return {State::Yes, ""};
}

// CALL failed with -NEG_ERRNO: the kernel does not have the feature.
Verdict no(const std::string& call, int neg_errno) {
    return {State::No, call + ": " + std::strerror(-neg_errno)};
}

// The table: what each feature is, and what nsreconcile does with and
// without it. Keep "used" and the two texts in step with the code (and the
// README) when a feature starts being used.
KernelFeature feature(std::string name, std::string title, bool needs_root, bool used,
                      std::string used_for, std::string without) {
    KernelFeature f;
    f.name = std::move(name);
    f.title = std::move(title);
    f.needs_root = needs_root;
    f.used = used;
    f.used_for = std::move(used_for);
    f.without = std::move(without);
    return f;
}

std::vector<KernelFeature> feature_table() {
    return {
        feature("move_mount_beneath", "MOVE_MOUNT_BENEATH (move_mount)", true, true,
                "replacing a mount with no empty window: the new mount is attached beneath the old "
                "one, then the old one is detached",
                "the old mount is detached first and the new one attached after it, so the mount "
                "point shows what lies under it in between (the debug log says why)"),
        feature("new_mount_api", "new mount API (open_tree, move_mount, fsopen, fsmount)", true,
                true,
                "every mount: binds are cloned with open_tree, filesystems made with fsopen and "
                "fsmount, and both are attached with move_mount through file descriptors",
                "none: every change that mounts fails"),
        feature("mount_setattr", "mount_setattr", true, true,
                "the access flags of a bind (ro, nosuid, nodev, noexec, atime) set before it is "
                "attached, propagation options, and making a mount private before it is detached",
                "none: binds with flags, propagation options and unmounting by detach fail"),
        feature("statmount", "statmount, listmount and statx STATX_MNT_ID_UNIQUE", false, true,
                "asking what is mounted at an entry's mount point (statx of the path, statmount "
                "of the mounts there) without reading the whole table",
                "the whole mount table is read from /proc/self/mountinfo, once per run"),
        feature("openat2", "openat2 RESOLVE_NO_SYMLINKS", false, true,
                "resolving a path in one call that refuses a symlink anywhere on the way",
                "paths are walked one component at a time with O_NOFOLLOW"),
        feature("overlay_fd_layers",
                "overlayfs layers by fd (fsconfig FSCONFIG_SET_FD \"lowerdir+\")", true, true,
                "handing an overlay's layers, upper and work dir to the kernel as file "
                "descriptors opened without following symlinks",
                "an overlay's options are handed over as strings and the kernel resolves the layer "
                "paths (the debug log says why)"),
        feature(
            "cgroup2_freezer", "cgroup v2 freezer (cgroup.freeze)", false, true,
            "--freeze-cgroup: the application's processes are stopped while its namespace changes",
            "--freeze-cgroup uses the cgroup v1 freezer (freezer.state) where it is mounted; a "
            "cgroup with neither is refused (exit 2)"),
        feature("nsfs_bind", "binding a mount namespace file (nsfs)", true, true,
                "ns create: a namespace is kept alive with no process in it",
                "ns create fails; apply, plan and check still work on namespaces kept alive by "
                "something else (such as snap-confine)"),
    };
}

// --- Probes that only read, as the caller ---------------------------------

struct MntIdReq {
    std::uint32_t size;
    std::uint32_t spare;
    std::uint64_t mnt_id;
    std::uint64_t param;
};
constexpr std::uint32_t kMntIdReqSize = 24;  // MNT_ID_REQ_SIZE_VER0
constexpr std::uint64_t kStatmountSbBasic = 1;
constexpr std::uint64_t kListmountRoot = ~std::uint64_t{0};  // LSMT_ROOT

Verdict probe_statmount() {
    struct statx stx {};
    if (::statx(AT_FDCWD, "/", AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE, &stx) != 0)
        return no("statx", -errno);
    if (!(stx.stx_mask & STATX_MNT_ID_UNIQUE))
        return {State::No, "statx: no STATX_MNT_ID_UNIQUE in the reply"};
    MntIdReq req{kMntIdReqSize, 0, stx.stx_mnt_id, kStatmountSbBasic};
    alignas(8) char buf[4096];
    if (::syscall(__NR_statmount, &req, buf, sizeof buf, 0) != 0)
        return no("statmount", -errno);
    MntIdReq all{kMntIdReqSize, 0, kListmountRoot, 0};
    std::uint64_t ids[8];
    if (::syscall(__NR_listmount, &all, ids, 8, 0) < 0)
        return no("listmount", -errno);
    return yes();
}

Verdict probe_openat2() {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS;
    const long fd = ::syscall(__NR_openat2, AT_FDCWD, "/", &how, sizeof how);
    if (fd < 0)
        return no("openat2", -errno);
    ::close(static_cast<int>(fd));
    return yes();
}

bool has_freeze_file(const std::string& dir) {
    return ::access((dir + "/cgroup.freeze").c_str(), F_OK) == 0;
}

// Whether a cgroup below the hierarchy root DIR has cgroup.freeze (every
// cgroup but the root has it when the kernel has the freezer), or nothing
// when DIR has no cgroup below it to look at: making one would change the
// host's cgroup tree.
std::optional<bool> freezer_below(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        return std::nullopt;
    std::optional<bool> found;
    while (const dirent* e = ::readdir(d)) {
        if (e->d_type == DT_DIR && e->d_name[0] != '.') {
            found = has_freeze_file(dir + "/" + e->d_name);
            if (*found)
                break;
        }
    }
    ::closedir(d);
    return found;
}

bool kernel_has_filesystem(const std::string& type) {
    std::ifstream in("/proc/filesystems");
    for (std::string l; std::getline(in, l);) {
        if (l.size() >= type.size() && l.compare(l.size() - type.size(), type.size(), type) == 0 &&
            (l.size() == type.size() || l[l.size() - type.size() - 1] == '\t'))
            return true;
    }
    return false;
}

// --freeze-cgroup takes a directory of a mounted hierarchy, so the feature
// is there when a cgroup2 hierarchy is mounted and its cgroups can freeze.
Verdict probe_cgroup2_freezer() {
    const auto table = mountinfo::MountTable::from_self();
    std::vector<std::string> points;
    for (const auto& m : table.mounts()) {
        if (m.fstype == "cgroup2")
            points.push_back(m.mount_point);
    }
    if (points.empty()) {
        return {State::No, kernel_has_filesystem("cgroup2") ? "no cgroup v2 hierarchy is mounted"
                                                            : "the kernel has no cgroup2"};
    }
    bool looked = false;
    for (const auto& p : points) {
        const auto found = freezer_below(p);
        if (found && *found)
            return yes();
        looked = looked || found;
    }
    if (!looked)
        return {State::Unknown, "no cgroup below " + points.front() + " to look at"};
    return {State::No, "no cgroup in " + points.front() + " has cgroup.freeze"};
}

// --- Probes that mount, in a throwaway namespace ---------------------------

// A directory to cover with the probe's own tmpfs. It is covered only in
// the probe's private namespace, so any existing directory will do.
std::string probe_base() {
    for (const char* dir : {"/tmp", "/mnt", "/run", "/var/tmp"}) {
        struct stat st {};
        if (::lstat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return dir;
    }
    return "/";
}

class MountProbe {
  public:
    explicit MountProbe(std::string base) : base_(std::move(base)) {}

    // A detached tmpfs made with the new API, or an invalid Fd and WHY.
    Fd detached_tmpfs(Verdict& why) {
        int fs = k_.fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0) {
            why = no("fsopen tmpfs", fs);
            return Fd();
        }
        Fd fsfd(fs);
        if (int rc = k_.fsconfig(fsfd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0); rc < 0) {
            why = no("fsconfig FSCONFIG_CMD_CREATE", rc);
            return Fd();
        }
        int m = k_.fsmount(fsfd.get(), FSMOUNT_CLOEXEC, 0);
        if (m < 0) {
            why = no("fsmount", m);
            return Fd();
        }
        return Fd(m);
    }

    Verdict new_mount_api() {
        Verdict why = yes();
        Fd tmpfs = detached_tmpfs(why);
        if (!tmpfs)
            return why;
        if (int rc = k_.move_mount(tmpfs.get(), "", AT_FDCWD, path("a").c_str(),
                                   MOVE_MOUNT_F_EMPTY_PATH);
            rc < 0) {
            return no("move_mount", rc);
        }
        int tree = k_.open_tree(AT_FDCWD, path("a").c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0)
            return no("open_tree OPEN_TREE_CLONE", tree);
        Fd clone(tree);
        if (int rc = k_.move_mount(clone.get(), "", AT_FDCWD, path("b").c_str(),
                                   MOVE_MOUNT_F_EMPTY_PATH);
            rc < 0) {
            return no("move_mount of a clone", rc);
        }
        return yes();
    }

    Verdict mount_setattr() {
        if (::mount("nsr-probe", path("c").c_str(), "tmpfs", 0, "size=64k") != 0)
            return {State::Unknown, "cannot mount a tmpfs to probe on: " + errno_text()};
        struct mount_attr a {};
        a.attr_set = MOUNT_ATTR_RDONLY;
        if (int rc = k_.mount_setattr(AT_FDCWD, path("c").c_str(), 0, &a, sizeof a); rc < 0)
            return no("mount_setattr", rc);
        return yes();
    }

    // The mount at "d" is the root of a mount whose parent (the probe's
    // private tmpfs) propagates nowhere: every condition the kernel puts on
    // MOVE_MOUNT_BENEATH holds, so a refusal means the kernel lacks it.
    Verdict beneath() {
        if (::mount("nsr-probe", path("d").c_str(), "tmpfs", 0, "size=64k") != 0)
            return {State::Unknown, "cannot mount a tmpfs to probe on: " + errno_text()};
        Verdict why = yes();
        Fd tmpfs = detached_tmpfs(why);
        if (!tmpfs)
            return {State::No, "needs the new mount API (" + why.detail + ")"};
        if (int rc = k_.move_mount(tmpfs.get(), "", AT_FDCWD, path("d").c_str(),
                                   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_BENEATH);
            rc < 0) {
            return no("move_mount MOVE_MOUNT_BENEATH", rc);
        }
        return yes();
    }

    Verdict overlay_fd_layers() {
        int fs = k_.fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
            return no("fsopen overlay", fs);
        Fd fsfd(fs);
        for (const char* layer : {"l1", "l2"}) {
            int dir = k_.openat(AT_FDCWD, path(layer).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (dir < 0)
                return {State::Unknown, "cannot open a layer to probe with: " + errno_text()};
            Fd layer_fd(dir);
            if (int rc =
                    k_.fsconfig(fsfd.get(), FSCONFIG_SET_FD, "lowerdir+", nullptr, layer_fd.get());
                rc < 0) {
                return no("fsconfig FSCONFIG_SET_FD lowerdir+", rc);
            }
        }
        if (int rc = k_.fsconfig(fsfd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0); rc < 0)
            return no("fsconfig FSCONFIG_CMD_CREATE overlay", rc);
        int m = k_.fsmount(fsfd.get(), FSMOUNT_CLOEXEC, 0);
        if (m < 0)
            return no("fsmount overlay", m);
        ::close(m);
        return yes();
    }

    // What `ns create` does, on a file in the probe's tmpfs.
    Verdict nsfs_bind() {
        const std::string file = path("ns") + "/probe.mnt";
        try {
            create_namespace(file, mntns::Propagation::Private);
        } catch (const std::exception& e) {
            return {State::No, e.what()};
        }
        return mntns::is_bound(file) ? yes()
                                     : Verdict{State::No, file + " is not a namespace file"};
    }

  private:
    std::string path(const std::string& name) const { return base_ + "/" + name; }
    static std::string errno_text() { return std::strerror(errno); }

    std::string base_;
    reconcile::LinuxKernel k_;
};

// One "NAME\tSTATE\tDETAIL" line a feature.
std::string line(const std::string& name, const Verdict& v) {
    return name + "\t" + std::string(state_name(v.state)) + "\t" + v.detail + "\n";
}

const char* const kMountProbes[] = {"new_mount_api", "mount_setattr", "move_mount_beneath",
                                    "overlay_fd_layers", "nsfs_bind"};

// Runs in the forked child: every line for the mount probes.
std::string probe_mounts() {
    auto all = [](const Verdict& v) {
        std::string out;
        for (const char* name : kMountProbes)
            out += line(name, v);
        return out;
    };
    if (::unshare(CLONE_NEWNS) != 0) {
        return all({State::Unknown, errno == EPERM
                                        ? "needs root"
                                        : std::string("unshare: ") + std::strerror(errno)});
    }
    // Before anything is mounted: from here on nothing propagates out.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return all({State::Unknown, std::string("cannot make / private: ") + std::strerror(errno)});
    const std::string base = probe_base();
    if (::mount("nsr-probe", base.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=1m") !=
        0) {
        return all({State::Unknown,
                    "cannot mount a tmpfs on " + base + ": " + std::string(std::strerror(errno))});
    }
    for (const char* dir : {"a", "b", "c", "d", "l1", "l2", "ns"}) {
        if (::mkdir((base + "/" + dir).c_str(), 0700) != 0) {
            return all({State::Unknown,
                        "cannot make a probe directory: " + std::string(std::strerror(errno))});
        }
    }
    MountProbe p(base);
    return line("new_mount_api", p.new_mount_api()) + line("mount_setattr", p.mount_setattr()) +
           line("move_mount_beneath", p.beneath()) +
           line("overlay_fd_layers", p.overlay_fd_layers()) + line("nsfs_bind", p.nsfs_bind());
}

std::map<std::string, Verdict> parse_lines(const std::string& text) {
    std::map<std::string, Verdict> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        const auto tab1 = l.find('\t'), tab2 = l.find('\t', tab1 + 1);
        if (tab1 == std::string::npos || tab2 == std::string::npos)
            throw std::runtime_error("the feature probe printed a bad line: " + l);
        const std::string state = l.substr(tab1 + 1, tab2 - tab1 - 1);
        out[l.substr(0, tab1)] = {state == "yes"  ? State::Yes
                                  : state == "no" ? State::No
                                                  : State::Unknown,
                                  l.substr(tab2 + 1)};
    }
    return out;
}

}  // namespace

std::string_view state_name(KernelFeature::State s) {
    static constexpr base::Named<State> kNames[] = {
        {State::Yes, "yes"}, {State::No, "no"}, {State::Unknown, "unknown"}};
    return base::name_of(kNames, s);
}

std::string kernel_release() {
    struct utsname u {};
    if (::uname(&u) != 0)
        base::throw_errno(-errno, "cannot read the kernel release");
    return u.release;
}

std::vector<KernelFeature> probe_kernel_features() {
    auto mounts = parse_lines(
        mntns::Child(probe_mounts, mntns::Child::Hold::No, "the kernel feature probe").result());
    mounts["statmount"] = probe_statmount();
    mounts["openat2"] = probe_openat2();
    mounts["cgroup2_freezer"] = probe_cgroup2_freezer();
    auto features = feature_table();
    for (auto& f : features) {
        auto it = mounts.find(f.name);
        if (it == mounts.end())
            throw std::runtime_error("the feature probe said nothing about " + f.name);
        f.state = it->second.state;
        f.detail = it->second.detail;
    }
    return features;
}

}  // namespace nsr::cmd
