// What applying N bind entries costs through the executor (the code path of
// `nsreconcile apply`), next to the raw system calls for the same binds, in
// one process run; prints a Markdown table.
//
//   apply_cost [ENTRIES [ROUNDS]]
//
// Needs root. Everything happens in a forked child that first enters a new
// mount namespace with "/" made private, on tmpfs scratch mounts: nothing
// reaches the host's mount table, and the namespace dies with the child.
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "bench/measure.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_state.hpp"
#include "reconcile/plan.hpp"

#include <linux/openat2.h>

using namespace nsr::reconcile;

namespace {

using nsr::bench::median;

// <sys/mount.h> clashes with <linux/mount.h> (see reconcile/kernel.cpp).
constexpr unsigned long kMsBind = 4096;
constexpr int kMntDetach = 2;

void check(long rc, const std::string& what) {
    if (rc < 0)
        throw std::system_error(errno, std::generic_category(), what);
}

int sys_mount(const char* src, const char* dst, const char* type, unsigned long flags,
              const char* data) {
    return static_cast<int>(::syscall(SYS_mount, src, dst, type, flags, data));
}

// The scratch layout inside the child: sources on one tmpfs; targets on
// another, mounted fresh for every timed run (as on a snap system, where
// content sources and mount points live on different filesystems), or, with
// SAME_MOUNT, in a fresh directory of the sources' tmpfs, so that every bind
// lands on the mount it is cloned from.
struct Scratch {
    std::string root, src, dst;
    size_t entries;
    bool same_mount;

    std::string source(size_t i) const { return src + "/d" + std::to_string(i); }
    std::string target(size_t i) const { return dst + "/d" + std::to_string(i); }

    void fresh_targets() const {
        if (same_mount)
            check(::mkdir(dst.c_str(), 0755), "mkdir " + dst);
        else
            check(sys_mount("tmpfs", dst.c_str(), "tmpfs", 0, "mode=0755"), "mount tmpfs " + dst);
        for (size_t i = 0; i < entries; ++i)
            check(::mkdir(target(i).c_str(), 0755), "mkdir " + target(i));
    }
    // Detaching the targets' tmpfs takes every bind on it along; on the
    // sources' tmpfs each bind goes by itself.
    void drop_targets() const {
        if (!same_mount) {
            check(::syscall(SYS_umount2, dst.c_str(), kMntDetach), "umount " + dst);
            return;
        }
        for (size_t i = 0; i < entries; ++i) {
            check(::syscall(SYS_umount2, target(i).c_str(), kMntDetach), "umount " + target(i));
            check(::rmdir(target(i).c_str()), "rmdir " + target(i));
        }
        check(::rmdir(dst.c_str()), "rmdir " + dst);
    }
    // Every target shows its own source: the binds really happened.
    void verify() const {
        for (size_t i = 0; i < entries; ++i) {
            struct stat a {
            }, b{};
            check(::stat(source(i).c_str(), &a), "stat " + source(i));
            check(::stat(target(i).c_str(), &b), "stat " + target(i));
            if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                throw std::runtime_error(target(i) + " does not show " + source(i));
        }
    }
};

void raw_mount_bind(const Scratch& s) {
    for (size_t i = 0; i < s.entries; ++i) {
        check(sys_mount(s.source(i).c_str(), s.target(i).c_str(), nullptr, kMsBind, nullptr),
              "mount --bind " + s.source(i));
    }
}

// The calls the executor makes for a bind, without anything around them:
// clone the source, (for ro) set its flags, attach it at the target.
void raw_open_tree(const Scratch& s, bool read_only) {
    for (size_t i = 0; i < s.entries; ++i) {
        int tree = static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, s.source(i).c_str(),
                                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
        check(tree, "open_tree " + s.source(i));
        if (read_only) {
            struct mount_attr a {};
            a.attr_set = MOUNT_ATTR_RDONLY;
            check(::syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &a, sizeof a),
                  "mount_setattr");
        }
        check(::syscall(SYS_move_mount, tree, "", AT_FDCWD, s.target(i).c_str(),
                        MOVE_MOUNT_F_EMPTY_PATH),
              "move_mount " + s.target(i));
        ::close(tree);
    }
}

// An O_PATH fd of PATH resolved in one call, refusing symlinks in every
// component: the cheapest symlink-proof way to reach a path.
int open_no_symlinks(const std::string& path) {
    struct open_how how {};
    how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS;
    const int fd =
        static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
    check(fd, "openat2 " + path);
    return fd;
}

// The least a symlink-proof bind needs: reach source and target without
// following symlinks, clone the source from its fd, attach at the target's.
void secure_floor(const Scratch& s) {
    for (size_t i = 0; i < s.entries; ++i) {
        const int src = open_no_symlinks(s.source(i));
        const int tree = static_cast<int>(
            ::syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
        check(tree, "open_tree " + s.source(i));
        const int dst = open_no_symlinks(s.target(i));
        check(::syscall(SYS_move_mount, tree, "", dst, "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
              "move_mount " + s.target(i));
        ::close(dst);
        ::close(tree);
        ::close(src);
    }
}

std::string desired_text(const Scratch& s, bool read_only) {
    std::string text;
    for (size_t i = 0; i < s.entries; ++i)
        text += s.source(i) + " " + s.target(i) + " none " + (read_only ? "bind,ro" : "bind") +
                " 0 0\n";
    return text;
}

// The apply path after setns: snapshot the table, plan, run the executor.
struct ApplyTimes {
    double snapshot_plan_us = 0;
    double execute_us = 0;
};

ApplyTimes apply(const Scratch& s, bool read_only) {
    const auto desired = nsr::profile::parse_profile(desired_text(s, read_only), "desired");
    const auto t0 = std::chrono::steady_clock::now();
    LinuxKernel kernel;
    MountState mounts(kernel, MountSource::Auto, {});
    LiveFsView fs;
    const auto changes = plan({}, desired, fs);
    const auto t1 = std::chrono::steady_clock::now();
    Assumptions as;
    Executor exec(kernel, mounts.view(), fs, as, ExecOptions{});
    const Result r = exec.execute(changes);
    const auto t2 = std::chrono::steady_clock::now();
    for (const auto& o : r.outcomes) {
        if (o.status != Status::Done)
            throw std::runtime_error(o.change->entry.dir + ": " +
                                     std::string(status_name(o.status)) + ": " + o.detail);
    }
    return {std::chrono::duration<double, std::micro>(t1 - t0).count(),
            std::chrono::duration<double, std::micro>(t2 - t1).count()};
}

double timed_us(const std::function<void()>& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
        .count();
}

const char* const kMountBind = "raw mount(MS_BIND)";
const char* const kOpenTree = "raw open_tree + move_mount";
const char* const kFloor =
    "secure floor: openat2(RESOLVE_NO_SYMLINKS) x 2 + open_tree + move_mount";
const char* const kExec = "**executor**, bind";
const char* const kOpenTreeRo = "raw open_tree + mount_setattr(ro) + move_mount";
const char* const kExecRo = "**executor**, bind,ro";
const char* const kSnapshotPlan = "snapshot + plan before the executor, bind";

using Times = std::map<std::string, std::vector<double>>;

struct Method {
    std::string name;
    std::function<void(Times&)> run;
};

std::vector<Method> methods(const Scratch& s) {
    auto timed = [](const char* name, std::function<void()> f) {
        return Method{name, [name, f](Times& t) { t[name].push_back(timed_us(f)); }};
    };
    auto executor = [&s](const char* name, bool read_only, const char* setup) {
        return Method{name, [&s, name, read_only, setup](Times& t) {
                          const ApplyTimes a = apply(s, read_only);
                          t[name].push_back(a.execute_us);
                          if (setup)
                              t[setup].push_back(a.snapshot_plan_us);
                      }};
    };
    return {
        timed(kMountBind, [&s] { raw_mount_bind(s); }),
        timed(kOpenTree, [&s] { raw_open_tree(s, false); }),
        timed(kOpenTreeRo, [&s] { raw_open_tree(s, true); }),
        timed(kFloor, [&s] { secure_floor(s); }),
        executor(kExec, false, kSnapshotPlan),
        executor(kExecRo, true, nullptr),
    };
}

// Runs every method ROUNDS times (after one warm-up round), in an order
// that rotates from round to round, each on freshly made targets, and
// reports the median and the fastest run per entry. The ratios use the
// fastest runs: on a shared machine they are the least disturbed.
std::string measure(const Scratch& s, int rounds) {
    const std::vector<Method> all = methods(s);
    Times us;
    for (int round = 0; round <= rounds; ++round) {
        for (size_t k = 0; k < all.size(); ++k) {
            s.fresh_targets();
            all[(k + static_cast<size_t>(round)) % all.size()].run(us);
            s.verify();
            s.drop_targets();
        }
        if (round == 0)
            us.clear();  // warm-up
    }
    const double n = static_cast<double>(s.entries);
    auto median_of = [&](const char* name) { return median(us.at(name)) / n; };
    auto min_of = [&](const char* name) {
        return *std::min_element(us.at(name).begin(), us.at(name).end()) / n;
    };
    std::string out = "| what | us per entry, median | min |\n|---|---:|---:|\n";
    char buf[512];
    for (const char* name :
         {kMountBind, kOpenTree, kFloor, kExec, kOpenTreeRo, kExecRo, kSnapshotPlan}) {
        std::snprintf(buf, sizeof buf, "| %s | %.2f | %.2f |\n", name, median_of(name),
                      min_of(name));
        out += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "\nBy the fastest runs: executor / raw open_tree + move_mount **%.2fx** (bind), "
                  "**%.2fx** (bind,ro); executor / secure floor %.2fx; secure floor / raw %.2fx.\n",
                  min_of(kExec) / min_of(kOpenTree), min_of(kExecRo) / min_of(kOpenTreeRo),
                  min_of(kExec) / min_of(kFloor), min_of(kFloor) / min_of(kOpenTree));
    return out + buf;
}

// Runs in a private mount namespace (mntns::run_in_private).
std::string child(const std::string& root, size_t entries, int rounds) {
    check(sys_mount("tmpfs", root.c_str(), "tmpfs", 0, "mode=0755"), "mount tmpfs " + root);
    const Scratch apart{root, root + "/src", root + "/dst", entries, false};
    const Scratch together{root, root + "/src", root + "/src/targets", entries, true};
    check(::mkdir(apart.src.c_str(), 0755), "mkdir " + apart.src);
    check(::mkdir(apart.dst.c_str(), 0755), "mkdir " + apart.dst);
    check(sys_mount("tmpfs", apart.src.c_str(), "tmpfs", 0, "mode=0755"),
          "mount tmpfs " + apart.src);
    for (size_t i = 0; i < entries; ++i)
        check(::mkdir(apart.source(i).c_str(), 0755), "mkdir " + apart.source(i));
    const size_t table_lines = nsr::mountinfo::MountTable::from_self().mounts().size();
    char head[512];
    std::snprintf(head, sizeof head,
                  "%zu bind entries per run, %zu mounts in the namespace before; median of %d "
                  "runs per row, rows interleaved.\n\n"
                  "Sources and targets on different mounts:\n\n",
                  entries, table_lines, rounds);
    std::string out = head + measure(apart, rounds);
    out +=
        "\nSources and targets on the same mount (each bind lands on the mount it is cloned "
        "from):\n\n";
    return out + measure(together, rounds);
}

}  // namespace

int main(int argc, char** argv) {
    const size_t entries = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 15;
    if (::geteuid() != 0) {
        std::fprintf(stderr, "apply_cost: needs root (it mounts in a private mount namespace)\n");
        return 1;
    }
    char tmpl[] = "/tmp/nsr-bench-apply-XXXXXX";
    if (!::mkdtemp(tmpl)) {
        std::perror("apply_cost: mkdtemp");
        return 1;
    }
    const std::string root = std::filesystem::canonical(tmpl).string();
    int status = 0;
    try {
        std::fputs(nsr::mntns::run_in_private([&] { return child(root, entries, rounds); }).c_str(),
                   stdout);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "apply_cost: %s\n", e.what());
        status = 1;
    }
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
    return status;
}
