// Volatile overlays on this kernel, in a private namespace: the kernel's
// refusal to mount a used pair again (EINVAL on Linux 6.18, with "overlay
// with incompat feature 'volatile' cannot be mounted" in the kernel log),
// the reuse recipe when the
// evidence is complete, and refuse/quarantine when it is not (a reboot, an
// unmount that was not nsreconcile's).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <system_error>

#include "base/fd.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/overlay_match.hpp"
#include "reconcile/overlay_mount.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/volatile_evidence.hpp"
#include "reconcile/volatile_reuse.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using namespace nsr::test;
using namespace nsr::mntns;
using nsr::base::Fd;
using nsr::profile::OverlaySpec;
using nsr::profile::VolatileStale;

namespace {

constexpr std::time_t kNow = 1764505920;  // 20251130T123200Z

void check(int rc, const std::string& what) {
    if (rc < 0)
        throw std::system_error(errno, std::generic_category(), what);
}

std::string read(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        return "<missing>";
    std::stringstream text;
    text << f.rdbuf();
    return text.str();
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

// Where a live overlay of this namespace uses the pair, as the executor
// finds it.
std::optional<std::string> in_namespace(const std::string& upper, const std::string& work) {
    return pair_user_in(nsr::mountinfo::MountTable::from_self(), upper, work);
}

// One volatile overlay of S/l with upper S/u and work S/w at S/m, on a
// tmpfs at S, the evidence in S/run/volatile.
struct Lab {
    std::string s;
    LinuxKernel k;
    SecureFs sfs{k};
    OverlaySpec spec;
    std::string log;

    explicit Lab(const std::string& root) : s(root) {
        check(::mount("tmpfs", s.c_str(), "tmpfs", 0, "mode=0755"), "tmpfs");
        for (const char* d : {"/l", "/u", "/w", "/m", "/run"})
            check(::mkdir((s + d).c_str(), 0755), std::string("mkdir ") + d);
        // An owner and mode a quarantine must copy.
        check(::chown((s + "/u").c_str(), 1234, 1235), "chown u");
        check(::chmod((s + "/u").c_str(), 0750), "chmod u");
        spec.lower = {s + "/l"};
        spec.upper = s + "/u";
        spec.work = s + "/w";
        spec.is_volatile = true;
    }

    VolatileGuard guard(VolatileStore& store, const std::string& boot_id) {
        return VolatileGuard(
            k, sfs, store, boot_id, [] { return kNow; },
            [this](const std::string& line) { log += line + "\n"; });
    }

    // Mounts the overlay at S/m; throws std::system_error as the builder does.
    void mount() {
        const OverlayLayers layers = overlay_layers_open(k, sfs, spec, s + "/m");
        Fd tree = overlay_mount_create(k, spec, layers, "overlay", {}, s + "/m", {});
        Fd target = sfs.open_path(s + "/m");
        check(k.move_mount(tree.get(), "", target.get(), "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
              "attach");
    }

    // The executor's unmount of a volatile overlay: syncfs inside, unmount.
    int sync_and_unmount(VolatileGuard& g) {
        int sync = 0;
        {
            Fd root(::open((s + "/m").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            sync = g.sync_inside(root);
        }
        g.unmounting(spec, sync);
        check(::umount2((s + "/m").c_str(), 0), "umount");
        return sync;
    }

    // Mounted, written to, and gone again: the pair now carries the marker.
    // With CLEAN, nsreconcile unmounted it and recorded that.
    void use_once(VolatileGuard& g, bool clean) {
        g.prepare(spec, s + "/m", in_namespace);
        mount();
        g.mounted(spec);
        g.attached(spec);
        std::ofstream(s + "/m/f") << "data";
        if (clean) {
            g.unmounted(spec, sync_and_unmount(g));
        } else {
            check(::umount2((s + "/m").c_str(), MNT_DETACH), "umount");
        }
    }

    // use_once() with a guard of BOOT_ID and STORE.
    void use_in(VolatileStore& store, const std::string& boot_id, bool clean) {
        VolatileGuard g = guard(store, boot_id);
        use_once(g, clean);
    }

    // G's prepare() for the mount point DIR: its refusal, or "prepared".
    std::string prepare_or_refusal(VolatileGuard& g, const std::string& dir) {
        try {
            g.prepare(spec, dir, in_namespace);
        } catch (const VolatileStaleError& e) {
            return e.what();
        }
        return "prepared";
    }

    // The errno of a plain mount of the pair, 0 when it mounted.
    int try_mount() {
        try {
            mount();
        } catch (const std::system_error& e) {
            return e.code().value();
        }
        return 0;
    }
};

// BODY's verdict, in a private namespace, on a new Lab at ROOT with its
// evidence in ROOT/run/volatile.
std::string in_lab(const std::string& root,
                   const std::function<std::string(Lab&, VolatileStore&)>& body) {
    return run_in_private([&] {
        Lab lab(root);
        VolatileStore store = VolatileStore::open(lab.s + "/run/volatile");
        return body(lab, store);
    });
}

std::string summary_of(const VolatileVerdict& v) {
    return std::string(volatile_action_name(v.action)) + " by " + v.check;
}

}  // namespace

TEST_CASE("the kernel refuses a used volatile pair, and the evidence lets it be reused") {
    require_root("mounts overlays in a private namespace");
    Scratch scratch;
    const std::string out = in_lab(scratch.path(), [&](Lab& lab, VolatileStore& store) {
        VolatileGuard g = lab.guard(store, "boot-1");
        lab.use_once(g, true);
        std::string result;
        if (!exists(lab.s + "/w/work/incompat/volatile/dirty"))
            result += "no marker after the unmount\n";
        const int err = lab.try_mount();
        result += "plain mount again: " + std::string(std::strerror(err)) + "\n";
        const VolatileVerdict v = g.prepare(lab.spec, lab.s + "/m", in_namespace);
        result += std::string(volatile_action_name(v.action)) + " by " + v.check + "\n";
        if (exists(lab.s + "/w/work/incompat/volatile"))
            result += "marker still there\n";
        lab.mount();
        g.mounted(lab.spec);
        result += "after reuse: " + read(lab.s + "/m/f") + "\n";
        return result + lab.log;
    });
    CHECK(out ==
          "plain mount again: Invalid argument\n"
          "reuse by all checks\n"
          "after reuse: data\n"
          "volatile overlay at " +
              scratch.path() + "/m (upperdir " + scratch.path() +
              "/u): mount, decided by the marker check: no volatile marker: nothing to "
              "reuse\n"
              "volatile overlay at " +
              scratch.path() + "/m (upperdir " + scratch.path() +
              "/u): reuse, decided by the all checks check: mounted volatile by "
              "nsreconcile in this boot at 20251130T123200Z, unmounted by it at "
              "20251130T123200Z after a clean syncfs, the same upper filesystem, and "
              "syncfs succeeds now\n");
}

TEST_CASE("after a reboot (an empty store) refuse fails cleanly and keeps the upper") {
    require_root("mounts overlays in a private namespace");
    Scratch scratch;
    const std::string out = in_lab(scratch.path(), [&](Lab& lab, VolatileStore& before) {
        lab.use_in(before, "boot-1", true);
        // /run is empty after a reboot.
        VolatileStore after = VolatileStore::open(lab.s + "/run/after-reboot");
        VolatileGuard g = lab.guard(after, "boot-2");
        std::string result = lab.prepare_or_refusal(g, lab.s + "/m") + "\n";
        result += "upper: " + read(lab.s + "/u/f") + "\n";
        if (!exists(lab.s + "/w/work/incompat/volatile/dirty"))
            result += "the marker was removed\n";
        return result;
    });
    CHECK(out == "overlay at \"" + scratch.path() + "/m\": cannot mount the volatile upperdir \"" +
                     scratch.path() +
                     "/u\" again: no record that nsreconcile mounted this pair volatile in this "
                     "boot; nothing was changed (x-nsr.volatile-stale=quarantine would set it "
                     "aside and start empty)\n"
                     "upper: data\n");
}

TEST_CASE("after a reboot (another boot id) quarantine sets the pair aside and mounts empty") {
    require_root("mounts overlays in a private namespace");
    Scratch scratch;
    const std::string out = in_lab(scratch.path(), [&](Lab& lab, VolatileStore& store) {
        lab.use_in(store, "boot-1", true);
        lab.spec.stale = VolatileStale::Quarantine;
        VolatileGuard g = lab.guard(store, "boot-2");
        const VolatileVerdict v = g.prepare(lab.spec, lab.s + "/m", in_namespace);
        std::string result =
            std::string(volatile_action_name(v.action)) + " by " + v.check + ": " + v.reason + "\n";
        const std::string stale = lab.s + "/u.stale-20251130T123200Z";
        result += "set aside: " + read(stale + "/f") + "\n";
        if (!exists(lab.s + "/w.stale-20251130T123200Z/work/incompat/volatile"))
            result += "the old work dir lost its marker\n";
        struct stat st {};
        check(::stat((lab.s + "/u").c_str(), &st), "stat u");
        result += "new upper: mode " + std::to_string(st.st_mode & 07777) + " owner " +
                  std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + "\n";
        lab.mount();
        result += "mounted: " + read(lab.s + "/m/f") + "\n";
        // The record is now the new mount's, Mounting.
        auto r = store.find(*lab.spec.upper, *lab.spec.work);
        if (!r || r->boot_id != "boot-2" || r->state != VolatileState::Mounting)
            result += "the old record was kept\n";
        return result;
    });
    CHECK(out ==
          "quarantine by boot: it was mounted in another boot (boot id boot-1, now "
          "boot-2)\n"
          "set aside: data\n"
          "new upper: mode " +
              std::to_string(0750) +
              " owner 1234:1235\n"
              "mounted: <missing>\n");
}

TEST_CASE("an overlay that went away without nsreconcile unmounting it falls under the policy") {
    require_root("mounts overlays in a private namespace");
    Scratch scratch;
    const std::string out = in_lab(scratch.path(), [&](Lab& lab, VolatileStore& store) {
        lab.use_in(store, "boot-1", false);
        VolatileGuard g = lab.guard(store, "boot-1");
        const VolatileFacts f = g.facts(lab.spec, in_namespace);
        return summary_of(volatile_reuse_decide(f, VolatileStale::Refuse));
    });
    CHECK(out == "refuse by unmount");
}

TEST_CASE("a pair in use by a live overlay is seen in the mount table and refused") {
    require_root("mounts overlays in a private namespace");
    Scratch scratch;
    const std::string out = in_lab(scratch.path(), [&](Lab& lab, VolatileStore& store) {
        VolatileGuard g = lab.guard(store, "boot-1");
        g.prepare(lab.spec, lab.s + "/m", in_namespace);
        lab.mount();
        g.mounted(lab.spec);
        lab.spec.stale = VolatileStale::Quarantine;
        std::string result = lab.prepare_or_refusal(g, lab.s + "/m2") +
                             (exists(lab.s + "/u") ? "" : " (upper moved)") + "\n";
        // Not volatile, and no marker checked: still in use.
        lab.spec.is_volatile = false;
        lab.spec.stale.reset();
        return result + lab.prepare_or_refusal(g, lab.s + "/m2");
    });
    const std::string refusal = "overlay at \"" + scratch.path() +
                                "/m2\": cannot mount with the upperdir \"" + scratch.path() +
                                "/u\": the overlay at \"" + scratch.path() +
                                "/m\" uses this upper or work dir; nothing was changed";
    CHECK(out == refusal + "\n" + refusal);
}
