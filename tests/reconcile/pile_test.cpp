// The pile's decisions (reconcile/pile.hpp), on real mounts in a private
// namespace, the calls recorded by a FakeKernel: old mounts piled and
// detached with one unmount; a shared mount under the pile's mount point,
// or a kernel refusing a step, makes each old mount go on its own; a
// change near the pile's mount point flushes it first; a pile a killed run
// left is detached before anything else.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "base/fd.hpp"
#include "base/path.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/live_mount_view.hpp"
#include "reconcile/pile.hpp"
#include "reconcile/plan.hpp"
#include "tests/reconcile/fake_kernel.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using namespace nsr::test;
using nsr::mntns::run_in_private;
using nsr::mountinfo::MountTable;

namespace {

constexpr const char* kPileName = ".current.pile";

void check(int rc, const std::string& what) {
    if (rc != 0)
        throw std::system_error(errno, std::generic_category(), what);
}

// A tmpfs at S with sources S/src/a and S/src/b (a file "marker" saying
// "a" or "b"), mount points S/t/m0..m2 and the state directory STATE.
void build_world(const std::string& s, const std::string& state) {
    check(::mount("tmpfs", s.c_str(), "tmpfs", 0, "size=4m,mode=0755"), "mount tmpfs on " + s);
    for (const char* d : {"/src", "/src/a", "/src/b", "/t", "/t/m0", "/t/m1", "/t/m2"})
        check(::mkdir((s + d).c_str(), 0755), std::string("mkdir ") + d);
    std::ofstream(s + "/src/a/marker") << "a";
    std::ofstream(s + "/src/b/marker") << "b";
    check(::system(("mkdir -p " + state).c_str()), "mkdir " + state);
}

std::string binds(const std::string& s, const char* source, const std::string& extra = "") {
    std::string text;
    for (int i = 0; i < 3; ++i)
        text += s + "/src/" + source + " " + s + "/t/m" + std::to_string(i) + " none bind,ro 0 0\n";
    return text + extra;
}

PileDir pile_dir(const std::string& state) {
    const int fd = ::open(state.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    check(fd < 0 ? -1 : 0, "open " + state);
    return {nsr::base::Fd(fd), kPileName, state};
}

// Mount points at or below DIR, one a line.
std::string mounted_below(const std::string& dir) {
    std::string out;
    const MountTable table = MountTable::from_self();
    for (const auto& m : table.mounts()) {
        if (nsr::base::is_within(m.mount_point, dir))
            out += m.mount_point + "\n";
    }
    return out;
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Refresh {
    std::vector<std::string> calls;  // "name path", in order
    std::string shown;               // the markers at m0..m2
    std::string stacked;             // mount points below S/t with more than one mount
    std::string under_state;         // mounted at or below the state directory
    std::string pile_mounts;         // mounted below S at a pile's path, copies included
    bool pile_dir_left = false;
    std::string outcomes;  // the changes not done
    std::string log;       // the debug log
    std::string failed;    // the call failed on purpose
};

std::string encode(const Refresh& r) {
    std::ostringstream out;
    for (const auto& c : r.calls)
        out << "call " << c << "\n";
    out << "shown " << r.shown << "\n";
    out << "stacked " << r.stacked << "\n";
    out << "under_state " << r.under_state << "\n";
    out << "pile_mounts " << r.pile_mounts << "\n";
    out << "pile_dir_left " << r.pile_dir_left << "\n";
    out << "outcomes " << r.outcomes << "\n";
    if (!r.failed.empty())
        out << "failure delivered: " << r.failed << "\n";
    out << "log " << r.log;
    return out.str();
}

// The refresh from S/src/a to S/src/b (EXTRA: more desired lines), with a
// pile in STATE, run on a FakeKernel in a private namespace after SETUP.
// The result as text (a Refresh, encoded).
// FAIL_AT: the FakeKernel's call to fail (with EIO).
std::string refresh(const std::string& s, const std::string& state, const std::string& extra,
                    const std::function<void()>& setup = {},
                    std::optional<size_t> fail_at = std::nullopt) {
    return run_in_private([&] {
        build_world(s, state);
        if (setup)
            setup();
        LinuxKernel real;
        LiveFsView fs;
        Assumptions as({.unrestricted = {s}});
        {
            LiveMountView view(real);
            auto first = plan({}, nsr::profile::parse_profile(binds(s, "a"), "before"), fs);
            Executor(real, view, fs, as, {}).execute(first);
        }
        const auto current = nsr::profile::parse_profile(binds(s, "a"), "current");
        for (const auto& e : current.entries)
            as.record({Action::Mount, e, std::nullopt});
        auto changes =
            plan(current, nsr::profile::parse_profile(binds(s, "b", extra), "desired"), fs);
        FakeKernel k;
        if (fail_at)
            k.fail_at(*fail_at, EIO);
        LiveMountView view(k);
        Refresh r;
        auto debug = [&](const std::string& line) { r.log += line + "\n"; };
        {
            Pile pile(k, pile_dir(state), debug);
            ExecOptions opts;
            opts.pile = &pile;
            opts.debug = debug;
            Result result = Executor(k, view, fs, as, opts).execute(changes);
            for (const auto& o : result.outcomes) {
                if (o.status != Status::Done)
                    r.outcomes += o.change->entry.to_string() + ": " + o.detail + "; ";
            }
        }
        r.under_state = mounted_below(state);
        std::istringstream all(mounted_below(s));
        for (std::string l; std::getline(all, l);) {
            if (l.find("/" + std::string(kPileName)) != std::string::npos)
                r.pile_mounts += l + " ";
        }
        for (const auto& c : k.calls())
            r.calls.push_back(c.name + " " + c.path);
        if (k.failed())
            r.failed = k.calls()[*fail_at].name;
        for (int i = 0; i < 3; ++i)
            r.shown += read(s + "/t/m" + std::to_string(i) + "/marker");
        const std::string below = mounted_below(s + "/t");
        std::istringstream lines(below);
        std::vector<std::string> points;
        for (std::string l; std::getline(lines, l);)
            points.push_back(l);
        for (const auto& p : points) {
            if (std::count(points.begin(), points.end(), p) > 1)
                r.stacked += p + " ";
        }
        struct stat st {};
        r.pile_dir_left = ::lstat((state + "/" + kPileName).c_str(), &st) == 0;
        return encode(r);
    });
}

size_t count_calls(const std::string& report, const std::string& prefix) {
    size_t n = 0;
    std::istringstream lines(report);
    for (std::string l; std::getline(lines, l);)
        n += l.starts_with("call " + prefix);
    return n;
}

std::string field(const std::string& report, const std::string& name) {
    std::istringstream lines(report);
    for (std::string l; std::getline(lines, l);) {
        if (l.starts_with(name + " "))
            return l.substr(name.size() + 1);
    }
    return "(none)";
}

// Position of the last line starting with "call PREFIX", or npos.
size_t last_call(const std::string& report, const std::string& prefix) {
    size_t at = std::string::npos;
    size_t i = 0;
    std::istringstream lines(report);
    for (std::string l; std::getline(lines, l); ++i) {
        if (l.starts_with("call " + prefix))
            at = i;
    }
    return at;
}

void check_refreshed(const std::string& report) {
    INFO(report);
    CHECK(field(report, "shown") == "bbb");
    CHECK(field(report, "stacked") == "");
    CHECK(field(report, "under_state") == "");
    CHECK(field(report, "pile_mounts") == "");
    CHECK(field(report, "pile_dir_left") == "0");
    CHECK(field(report, "outcomes") == "");
}

}  // namespace

TEST_CASE("pile: the old mounts of a refresh go onto the pile and leave with one unmount") {
    require_root("the pile is made of real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string report = refresh(s, s + "/state", "");
    check_refreshed(report);
    // Three tucks, the pile's attach, three moves onto it; one unmount.
    CHECK(count_calls(report, "move_mount") == 7);
    CHECK(count_calls(report, "umount2") == 1);
    CHECK(report.find("one by one") == std::string::npos);
}

TEST_CASE("pile: on a shared mount, each old mount is detached on its own") {
    require_root("the pile is made of real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string state = s + "/state";
    const std::string report = refresh(s, state, "", [&] {
        check(::mount(state.c_str(), state.c_str(), nullptr, MS_BIND, nullptr), "bind state");
        check(::mount(nullptr, state.c_str(), nullptr, MS_SHARED, nullptr), "make it shared");
    });
    INFO(report);
    CHECK(field(report, "shown") == "bbb");
    CHECK(field(report, "stacked") == "");
    CHECK(field(report, "under_state") == state);
    CHECK(field(report, "pile_dir_left") == "0");
    CHECK(count_calls(report, "umount2") == 3);
    CHECK(count_calls(report, "fsopen") == 0);
    CHECK(report.find("is on a shared mount") != std::string::npos);
}

TEST_CASE("pile: a change above the pile's mount point flushes the pile first") {
    require_root("the pile is made of real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    // A tmpfs over the directory holding the state directory, planned after
    // the replacements (S/z sorts after S/t).
    const std::string report =
        refresh(s, s + "/z/state", "tmpfs " + s + "/z tmpfs mode=0755 0 0\n");
    INFO(report);
    CHECK(field(report, "shown") == "bbb");
    CHECK(field(report, "outcomes") == "");
    CHECK(count_calls(report, "umount2") == 1);
    // The pile's unmount comes before the tmpfs is made (its fsopen, the
    // second one after the pile's).
    CHECK(count_calls(report, "fsopen") == 2);
    CHECK(last_call(report, "umount2") < last_call(report, "fsopen"));
}

TEST_CASE("pile: a mimic above the pile's mount point flushes the pile first") {
    require_root("the pile is made of real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    // The state directory is a tmpfs in the read-only S/z, where a layout
    // planned after the replacements needs a mimic: its bind-back of
    // S/z/state would copy a pile there.
    const std::string z = s + "/z";
    const std::string state = z + "/state";
    const std::string report = refresh(
        s, state, s + "/src/a " + z + "/new none rbind,rw,x-snapd.origin=layout 0 0\n", [&] {
            check(::mount(z.c_str(), z.c_str(), nullptr, MS_BIND, nullptr), "bind z");
            check(::mount(nullptr, z.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr),
                  "make z read-only");
            check(::mount("tmpfs", state.c_str(), "tmpfs", 0, "mode=0755"), "tmpfs state");
        });
    INFO(report);
    CHECK(field(report, "shown") == "bbb");
    CHECK(field(report, "outcomes") == "");
    CHECK(report.find("need a writable mimic over " + z) != std::string::npos);
    CHECK(count_calls(report, "umount2") == 1);
    // The pile's unmount comes before the mimic's tmpfs is made.
    CHECK(count_calls(report, "fsopen") == 2);
    CHECK(last_call(report, "umount2") < last_call(report, "fsopen"));
    CHECK(field(report, "pile_mounts") == "");
}

TEST_CASE("pile: an rbind of a directory holding the pile flushes the pile first") {
    require_root("the pile is made of real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string state = s + "/z/state";
    // Planned after the replacements (S/w sorts after S/t).
    const std::string report = refresh(s, state, s + "/z " + s + "/w none rbind,rw 0 0\n");
    INFO(report);
    CHECK(field(report, "shown") == "bbb");
    CHECK(field(report, "outcomes") == "");
    CHECK(count_calls(report, "umount2") == 1);
    CHECK(last_call(report, "umount2") < last_call(report, "open_tree"));
    CHECK(field(report, "pile_mounts") == "");
}

TEST_CASE("pile: a pile a killed run left is detached, and only then") {
    require_root("the pile is made of real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string report = run_in_private([&] {
        build_world(s, s + "/state");
        const std::string point = s + "/state/" + kPileName;
        std::ostringstream out;
        FakeKernel k;
        {
            // Nothing left: one look, nothing changed.
            Pile pile(k, pile_dir(s + "/state"), {});
            pile.clear_leftover();
            out << "calls with nothing left: " << k.calls().size() << "\n";
        }
        // A pile as a kill leaves it: a tmpfs holding an old mount.
        check(::mkdir(point.c_str(), 0700), "mkdir pile");
        check(::mount("tmpfs", point.c_str(), "tmpfs", 0, "mode=0700"), "mount pile");
        check(::mkdir((point + "/d0").c_str(), 0700), "mkdir d0");
        check(::mount((s + "/src/a").c_str(), (point + "/d0").c_str(), nullptr, MS_BIND, nullptr),
              "bind onto the pile");
        std::string log;
        Pile pile(k, pile_dir(s + "/state"), [&](const std::string& l) { log += l + "\n"; });
        pile.clear_leftover();
        struct stat st {};
        out << "left mounted: [" << mounted_below(s + "/state") << "]\n";
        out << "mount point left: " << (::lstat(point.c_str(), &st) == 0) << "\n";
        out << "log: " << log;
        return out.str();
    });
    INFO(report);
    CHECK(report.find("calls with nothing left: 1\n") != std::string::npos);
    CHECK(report.find("left mounted: []\n") != std::string::npos);
    CHECK(report.find("mount point left: 0\n") != std::string::npos);
    CHECK(report.find("detached the pile of replaced mounts that a killed run left") !=
          std::string::npos);
}

// Positions of the pile's own calls in a clean refresh's REPORT: making
// it (from its mount point's mkdirat to its attach), its spot, the moves
// onto it, and the flush.
std::vector<size_t> pile_calls(const std::string& report) {
    std::vector<std::string> calls;
    std::istringstream lines(report);
    for (std::string l; std::getline(lines, l) && l.starts_with("call ");)
        calls.push_back(l.substr(5));
    const std::string name(kPileName);
    std::vector<size_t> at;
    bool making = false;
    for (size_t i = 0; i < calls.size(); ++i) {
        const std::string& c = calls[i];
        if (c == "mkdirat " + name)
            making = true;
        const bool flush =
            c.starts_with("umount2") || c == "unlinkat " + name ||
            (c == "mount_setattr " && i + 1 < calls.size() && calls[i + 1].starts_with("umount2"));
        if (making || flush || c == "mkdirat d0" || c == "move_mount d0")
            at.push_back(i);
        // The pile's attach ends its making.
        if (making && c == "move_mount " && i > 0 && calls[i - 1] == "fsmount ")
            making = false;
    }
    return at;
}

TEST_CASE("pile: a failure at any call of the pile's leaves the refresh done") {
    require_root("the pile is made of real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string clean = refresh(s, s + "/state", "");
    check_refreshed(clean);
    const std::vector<size_t> calls = pile_calls(clean);
    // mkdirat, openat, statx, statmount, fsopen, two fsconfig, fsmount,
    // the attach; the spot, three moves; the flush's three calls.
    REQUIRE(calls.size() >= 16);
    for (size_t k : calls) {
        CAPTURE(k);
        const std::string report = refresh(s, s + "/state", "", {}, k);
        INFO(report);
        CHECK(report.find("failure delivered") != std::string::npos);
        CHECK(field(report, "shown") == "bbb");
        CHECK(field(report, "stacked") == "");
        CHECK(field(report, "outcomes") == "");
        // A failed flush is tried again when the pile goes.
        CHECK(field(report, "under_state") == "");
        CHECK(field(report, "pile_mounts") == "");
        // A mount point the flush could not remove is the next run's to.
        const bool unlink = report.find("failure delivered: unlinkat") != std::string::npos;
        CHECK(field(report, "pile_dir_left") == (unlink ? "1" : "0"));
    }
}
