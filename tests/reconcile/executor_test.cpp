// The executor's failure paths: every kernel call a run makes is failed in
// turn (FakeKernel), on real mounts in a private namespace, and after each
// failure the run must hold snapd's error policy and leave the namespace as
// its new current profile says: nothing mounted that is not recorded,
// nothing recorded that is not mounted, no half-built mimic.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "base/path.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/live_mount_view.hpp"
#include "reconcile/plan.hpp"
#include "reconcile/table_mount_view.hpp"
#include "tests/reconcile/fake_kernel.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using namespace nsr::test;
using namespace nsr::mntns;
using nsr::mountinfo::MountTable;
using nsr::profile::MountProfile;

namespace {

void check(int rc, const std::string& what) {
    if (rc != 0)
        throw std::system_error(errno, std::generic_category(), what);
}

void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

// In the child's private namespace: a tmpfs at S with a writable source
// tree and a read-only directory (a squashfs for the executor) that a
// layout can only get into through a mimic. The read-only directory is a
// bind of the tmpfs: its mode differs from the tmpfs root's, so that the
// bind cannot pass for the mimic's tmpfs (same type, source and mode).
void build_world(const std::string& s) {
    check(::mount("tmpfs", s.c_str(), "tmpfs", 0, "size=4m,mode=0711"), "mount tmpfs on " + s);
    for (const char* d : {"/src", "/src/dir", "/src/dir2", "/data", "/t", "/ro", "/ro/d"})
        check(::mkdir((s + d).c_str(), 0755), std::string("mkdir ") + d);
    write(s + "/src/dir/file", "1");
    write(s + "/src/dir2/file", "2");
    write(s + "/ro/a", "a");
    check(::symlink("a", (s + "/ro/l").c_str()), "symlink");
    const std::string ro = s + "/ro";
    check(::mount(ro.c_str(), ro.c_str(), nullptr, MS_BIND, nullptr), "bind " + ro);
    check(::mount(nullptr, ro.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr),
          "remount " + ro);
}

// Mount points below S, sorted, from the kernel's table.
std::vector<std::string> mounted_below(const std::string& s) {
    std::vector<std::string> points;
    const MountTable table = MountTable::from_self();
    for (const auto& m : table.mounts()) {
        if (nsr::base::is_within(m.mount_point, s))
            points.push_back(m.mount_point);
    }
    std::sort(points.begin(), points.end());
    return points;
}

// Mount points of the entries of P that are mounts (not symlinks or
// ensure-dirs), plus BASE, sorted.
std::vector<std::string> recorded(const MountProfile& p, std::vector<std::string> base) {
    for (const auto& e : p.entries) {
        const auto kind = nsr::profile::kind(e);
        if (kind == nsr::profile::EntryKind::Directory || kind == nsr::profile::EntryKind::File)
            base.push_back(e.dir);
    }
    std::sort(base.begin(), base.end());
    return base;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : " ") + s;
    return "[" + out + "]";
}

struct Scenario {
    std::string before;   // applied with the real kernel first, as the current profile
    std::string desired;  // then planned and run on the FakeKernel
    bool tuck = true;     // false: snapd's order, mimics attached and then filled
    // The executor learns what is mounted from a mountinfo snapshot (the
    // fallback) instead of asking the kernel about each path.
    bool mountinfo = false;
};

// What a run did, in the child, as the parent needs it.
struct Run {
    std::vector<Change> changes;
    Result result;
    std::vector<std::string> baseline;  // mounted below S before the runs
    std::vector<std::string> mounted;   // mounted below S after the run
    size_t calls = 0;
    bool failure_delivered = false;
};

Run run(const std::string& s, const Scenario& sc, std::optional<size_t> fail_at) {
    build_world(s);
    Run r;
    r.baseline = mounted_below(s);
    LiveFsView fs;
    MountProfile current;
    if (!sc.before.empty()) {
        LinuxKernel real;
        LiveMountView view(real);
        Assumptions as({.unrestricted = {s}});
        auto changes = plan({}, nsr::profile::parse_profile(sc.before, "before"), fs);
        Result first = Executor(real, view, fs, as, {}).execute(changes);
        for (const auto& o : first.outcomes) {
            if (o.status != Status::Done)
                throw std::runtime_error("setting up: " + o.change->entry.to_string() + ": " +
                                         o.detail);
        }
        current = first.new_current();
    }
    Assumptions as({.unrestricted = {s}});
    for (const auto& e : current.entries)
        as.record({Action::Mount, e, std::nullopt});
    r.changes =
        plan(current, nsr::profile::parse_profile(sc.desired, "desired"), fs, {.tuck = sc.tuck});
    FakeKernel k;
    // The view asks through the same kernel, so its calls fail in turn too.
    std::optional<MountTable> table;
    std::unique_ptr<MountView> view;
    if (sc.mountinfo) {
        table.emplace(MountTable::from_self());
        view = std::make_unique<TableMountView>(*table, k);
    } else {
        view = std::make_unique<LiveMountView>(k);
    }
    if (fail_at)
        k.fail_at(*fail_at, EIO);
    ExecOptions opts;
    opts.tuck = sc.tuck;
    r.result = Executor(k, *view, fs, as, opts).execute(r.changes);
    r.mounted = mounted_below(s);
    r.calls = k.calls().size();
    r.failure_delivered = k.failed();
    return r;
}

// The invariants after a run whose call I failed; CLEAN is the run without
// a failure. Returns one line per violation.
std::string violations(const Run& r, const Run& clean) {
    std::ostringstream v;
    if (!r.failure_delivered)
        v << "the failure was not delivered\n";
    const auto expect = recorded(r.result.new_current(), r.baseline);
    if (r.mounted != expect) {
        v << "mounted " << join(r.mounted) << " but the new current profile records "
          << join(expect) << "\n";
    }
    std::vector<size_t> failed;
    for (size_t j = 0; j < r.result.outcomes.size(); ++j) {
        if (r.result.outcomes[j].status == Status::Failed)
            failed.push_back(j);
    }
    if (failed.empty()) {
        // A failure the executor may tolerate must not change the result.
        if (r.result.new_current() != clean.result.new_current()) {
            v << "no change failed, but the new current profile differs from a clean run's:\n"
              << nsr::profile::format_profile(r.result.new_current());
        }
        if (r.mounted != clean.mounted)
            v << "no change failed, but " << join(r.mounted) << " is mounted\n";
        return v.str();
    }
    if (failed.size() > 1)
        v << failed.size() << " changes failed\n";
    const size_t f = failed.front();
    const Outcome& o = r.result.outcomes[f];
    if (o.detail.find(std::strerror(EIO)) == std::string::npos)
        v << "the failed change's detail lacks the errno text: " << o.detail << "\n";
    const auto origin = nsr::profile::origin(o.change->entry);
    const bool fatal =
        origin == nsr::profile::Origin::Layout || origin == nsr::profile::Origin::Overname;
    if (fatal) {
        if (!r.result.fatal)
            v << "a failed layout change did not stop the run\n";
        if (r.result.outcomes.size() != f + 1)
            v << "the run went on after a fatal failure\n";
        return v.str();
    }
    if (r.result.fatal)
        v << "a failed content change was fatal\n";
    if (r.result.outcomes.size() != r.changes.size())
        v << "the run stopped after a non-fatal failure\n";
    for (size_t j = 0; j < r.result.outcomes.size() && j < clean.result.outcomes.size(); ++j) {
        if (j != f && r.result.outcomes[j].status != clean.result.outcomes[j].status) {
            v << "change " << j << " (" << r.result.outcomes[j].change->entry.to_string() << ") is "
              << status_name(r.result.outcomes[j].status) << ": " << r.result.outcomes[j].detail
              << "\n";
        }
    }
    return v.str();
}

// Runs the scenario cleanly, then once per kernel call with that call
// failing, each time in a fresh private namespace with a tmpfs at S.
// Returns the clean run's actions, in order, and "mimic" when its new
// current profile has a synthetic entry.
std::string fail_each_call(const std::string& s, const Scenario& sc) {
    // A Run stays in its child: what the parent needs comes back as text.
    const std::string summary = run_in_private([&] {
        const Run clean = run(s, sc, std::nullopt);
        std::ostringstream out;
        out << clean.calls << "\n";
        for (const auto& c : clean.changes)
            out << action_name(c.action) << " ";
        for (const auto& e : clean.result.new_current().entries) {
            if (e.has_option("x-snapd.synthetic")) {
                out << "mimic";
                break;
            }
        }
        out << "\n";
        for (const auto& o : clean.result.outcomes) {
            if (o.status != Status::Done)
                out << "not done: " << o.change->entry.to_string() << ": " << o.detail << "\n";
        }
        if (clean.mounted != recorded(clean.result.new_current(), clean.baseline))
            out << "mounted " << join(clean.mounted) << "\n";
        return out.str();
    });
    std::istringstream in(summary);
    size_t n = 0;
    std::string rest;
    std::string actions;
    in >> n;
    std::getline(in, rest);
    std::getline(in, actions);
    std::getline(in, rest, '\0');
    REQUIRE_MESSAGE(rest.empty(), summary);
    REQUIRE(n > 0);
    for (size_t i = 0; i < n; ++i) {
        const std::string report = run_in_private([&] {
            const Run c = run(s, sc, std::nullopt);
            ::umount2(s.c_str(), MNT_DETACH);
            const Run r = run(s, sc, i);
            std::ostringstream out;
            out << violations(r, c);
            if (!out.str().empty()) {
                out << "outcomes:\n";
                for (const auto& o : r.result.outcomes) {
                    out << "  " << status_name(o.status) << ": " << o.change->entry.to_string()
                        << " " << o.detail << "\n";
                }
            }
            return out.str();
        });
        CAPTURE(i);
        CHECK_MESSAGE(report.empty(), report);
    }
    return actions;
}

// ENTRIES with each "S/" standing for S. The search goes on after the path
// put in: a scratch path ending in "S" (mkdtemp's suffix, 1 in 62) would
// otherwise be found again and again, growing the line forever.
std::string lines(const std::string& s, const std::vector<std::string>& entries) {
    std::string text;
    for (const auto& e : entries) {
        std::string line = e;
        for (size_t p = 0; (p = line.find("S/", p)) != std::string::npos; p += s.size())
            line.replace(p, 1, s);
        text += line + "\n";
    }
    return text;
}

// A bind, a tmpfs, and two layouts under a read-only directory: the first
// builds a mimic there, the second goes into it.
std::string build_profile(const std::string& s) {
    return lines(s, {"S/src/dir S/t/bind none bind 0 0", "tmpfs S/t/tmp tmpfs mode=0700 0 0",
                     "S/data S/ro/new none rbind,rw,x-snapd.origin=layout 0 0",
                     "S/data S/ro/new2 none rbind,rw,x-snapd.origin=layout 0 0"});
}

// From there, the bind's source changes (a replace) and the rest goes: the
// layouts, the mimic and the tmpfs are unmounted.
std::string change_profile(const std::string& s) {
    return lines(s, {"S/src/dir2 S/t/bind none bind 0 0"});
}

}  // namespace

TEST_CASE("the scenario profiles name a scratch path ending in S once per S/") {
    CHECK(lines("/tmp/nsr-securefs-abcdeS", {"S/src/dir S/t/bind none bind 0 0"}) ==
          "/tmp/nsr-securefs-abcdeS/src/dir /tmp/nsr-securefs-abcdeS/t/bind none bind 0 0\n");
}

TEST_CASE(
    "a failure at any call while building binds, a tmpfs and a mimic keeps the profile true") {
    require_root("the executor mounts for real in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    SUBCASE("mimic built detached") {
        CHECK(fail_each_call(s, {"", build_profile(s), true}) == "mount mount mount mount mimic");
    }
    SUBCASE("mimic attached, then filled (--no-tuck)") {
        CHECK(fail_each_call(s, {"", build_profile(s), false}) == "mount mount mount mount mimic");
    }
    SUBCASE("mimic built detached, what is mounted read from mountinfo") {
        CHECK(fail_each_call(s, {"", build_profile(s), true, true}) ==
              "mount mount mount mount mimic");
    }
}

TEST_CASE("a failure at any call while replacing and unmounting keeps the profile true") {
    require_root("the executor mounts for real in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    SUBCASE("replace beneath") {
        CHECK(fail_each_call(s, {build_profile(s), change_profile(s), true}) ==
              "unmount unmount unmount unmount unmount unmount replace ");
    }
    SUBCASE("unmount, then mount (--no-tuck)") {
        CHECK(fail_each_call(s, {build_profile(s), change_profile(s), false}) ==
              "unmount unmount unmount unmount unmount unmount unmount mount ");
    }
    SUBCASE("replace beneath, what is mounted read from mountinfo") {
        CHECK(fail_each_call(s, {build_profile(s), change_profile(s), true, true}) ==
              "unmount unmount unmount unmount unmount unmount replace ");
    }
}
