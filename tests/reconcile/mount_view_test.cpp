// The two ways of telling what is mounted where agree on real namespaces:
// LiveMountView (statx and statmount about each path) and TableMountView
// over /proc/self/mountinfo, the fallback. The same mount stacks, the same
// places for sources, the same needed() verdicts and reasons; and the
// executor, run once with each in twin namespaces, leaves the same mounts
// and records the same new current profile.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "base/error.hpp"
#include "base/path.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/live_mount_view.hpp"
#include "reconcile/needed.hpp"
#include "reconcile/plan.hpp"
#include "reconcile/table_mount_view.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using nsr::mntns::run_in_private;
using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;
using nsr::profile::MountProfile;
using nsr::test::require_root;
using nsr::test::Scratch;

namespace {

void bind_mount(const std::string& from, const std::string& to, bool read_only = false) {
    nsr::base::check_rc(::mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr), "bind " + to);
    if (read_only) {
        nsr::base::check_rc(
            ::mount(nullptr, to.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr),
            "remount " + to);
    }
}

// A tmpfs at S with sources, a read-only directory (for mimics) and mount
// points; MOUNTED adds mounts of every kind needed() tells apart.
void build_world(const std::string& s, bool mounted) {
    nsr::base::check_rc(::mount("tmpfs", s.c_str(), "tmpfs", 0, "size=4m,mode=0711"),
                        "tmpfs on " + s);
    for (const char* d : {"/src", "/src/a", "/src/b", "/src/a/sub", "/ro", "/ro/d", "/t", "/t/bind",
                          "/t/bindro", "/t/tmp", "/t/stack", "/t/none", "/t/sq"})
        nsr::base::check_rc(::mkdir((s + d).c_str(), 0755), std::string("mkdir ") + d);
    for (const char* f : {"/src/f", "/t/file", "/ro/file"})
        std::ofstream(s + f) << "x";
    bind_mount(s + "/ro", s + "/ro", true);
    if (!mounted)
        return;
    bind_mount(s + "/src/a", s + "/t/bind");
    bind_mount(s + "/src/a", s + "/t/bindro", true);
    nsr::base::check_rc(::mount("tmpfs", (s + "/t/tmp").c_str(), "tmpfs", 0, "mode=0700,size=1m"),
                        "tmp");
    bind_mount(s + "/src/f", s + "/t/file");
    bind_mount(s + "/src/a", s + "/t/stack");
    nsr::base::check_rc(::mount("tmpfs", (s + "/t/stack").c_str(), "tmpfs", 0, "mode=0755"),
                        "stack");
    // Out of a read-only mount: a bind that names no flag is read-only.
    bind_mount(s + "/ro/d", s + "/t/sq", true);
}

// ENTRIES with each "S/" standing for S.
std::string lines(const std::string& s, const std::vector<std::string>& entries) {
    std::string text;
    for (auto line : entries) {
        for (size_t p = 0; (p = line.find("S/", p)) != std::string::npos; p += s.size())
            line.replace(p, 1, s);
        text += line + "\n";
    }
    return text;
}

// A mount as both views must tell it: everything but the ids, which are
// mountinfo's in the one and the unique ones in the other.
std::string placement(const Mount& m) {
    std::string f;
    for (const auto& o : m.optional_fields)
        f += " " + o;
    return m.mount_point + " " + std::to_string(m.major) + ":" + std::to_string(m.minor) + " " +
           m.root + " " + m.mount_options + f + " - " + m.fstype + " " + m.source + " " +
           m.super_options;
}

std::string stacks(MountView& view, const std::string& s) {
    std::string out;
    for (const char* d : {"/t/bind", "/t/bindro", "/t/tmp", "/t/file", "/t/stack", "/t/none",
                          "/t/sq", "/ro", "/t/missing"}) {
        out += std::string(d) + ":";
        for (const Mount& m : view.stack_at(s + d))
            out += " [" + placement(m) + "]";
        out += "\n";
    }
    for (const char* p :
         {"/src/a", "/src/a/sub", "/src/f", "/ro/d", "/src/missing/x", "/t/bind/sub"}) {
        const auto r = view.resolve(s + p);
        out += std::string(p) + " -> " +
               (r ? "[" + placement(r->mount) + "] " + r->path_in_fs : std::string("nothing")) +
               "\n";
    }
    return out;
}

// Every entry under every action, judged.
std::string verdicts(MountView& view, const std::string& s) {
    const auto entries =
        nsr::profile::parse_profile(lines(s,
                                          {
                                              "S/src/a S/t/bind none bind 0 0",
                                              "S/src/b S/t/bind none bind 0 0",
                                              "S/src/a S/t/bind none bind,ro 0 0",
                                              "S/src/a S/t/bindro none bind,ro 0 0",
                                              "S/src/a S/t/bindro none bind 0 0",
                                              "S/src/a S/t/bindro none bind,nosuid 0 0",
                                              "tmpfs S/t/tmp tmpfs mode=0700 0 0",
                                              "tmpfs S/t/tmp tmpfs mode=0755 0 0",
                                              "tmpfs S/t/tmp tmpfs size=2m 0 0",
                                              "S/src/f S/t/file none bind,x-snapd.kind=file 0 0",
                                              "S/src/a S/t/stack none bind 0 0",
                                              "tmpfs S/t/stack tmpfs mode=0755 0 0",
                                              "S/src/a S/t/none none bind 0 0",
                                              "S/src/missing S/t/bind none bind 0 0",
                                              "S/ro/d S/t/sq none bind 0 0",
                                              "S/ro/d S/t/sq none bind,rw 0 0",
                                              "S/src/a S/t/bind/../bind none rbind 0 0",
                                          }),
                                    "entries");
    LiveFsView fs;
    std::string out;
    for (const auto& e : entries.entries) {
        for (Action a : {Action::Keep, Action::Mount, Action::Replace, Action::Unmount}) {
            const Verdict v = needed({a, e, std::nullopt}, view, fs);
            out += std::string(action_name(a)) + " " + e.to_string() + ": " +
                   (v.needed ? "needed" : "not needed") + ": " + v.reason + "\n";
        }
    }
    return out;
}

// The mounts below S, without their ids, sorted; devices named by their
// first appearance (two namespaces made one after the other get different
// anonymous device numbers for their tmpfs mounts).
std::string mounts_below(const std::string& s) {
    const MountTable table = MountTable::from_self();
    std::vector<const Mount*> found;
    for (const Mount& m : table.mounts()) {
        if (nsr::base::is_within(m.mount_point, s))
            found.push_back(&m);
    }
    std::sort(found.begin(), found.end(), [](const Mount* a, const Mount* b) {
        return std::tie(a->mount_point, a->root) < std::tie(b->mount_point, b->root);
    });
    std::map<dev_t, std::string> names;
    std::string out;
    for (const Mount* m : found) {
        const auto [it, added] = names.emplace(m->dev(), "dev" + std::to_string(names.size()));
        Mount named = *m;
        named.major = 0;
        named.minor = 0;
        out += it->second + " " + placement(named) + "\n";
    }
    return out;
}

// Applies BEFORE, then DESIRED, with the live view or the snapshot;
// returns the outcomes, the new current profile and the mounts left.
std::string apply_twice(const std::string& s, const std::string& before, const std::string& desired,
                        bool from_mountinfo) {
    build_world(s, false);
    LinuxKernel kernel;
    LiveFsView fs;
    std::string out;
    MountProfile current;
    for (const std::string* text : {&before, &desired}) {
        std::optional<MountTable> table;
        std::unique_ptr<MountView> view;
        if (from_mountinfo) {
            table.emplace(MountTable::from_self());
            view = std::make_unique<TableMountView>(*table, kernel);
        } else {
            view = std::make_unique<LiveMountView>(kernel);
        }
        Assumptions as({.unrestricted = {s}});
        for (const auto& e : current.entries)
            as.record({Action::Mount, e, std::nullopt});
        auto changes = plan(current, nsr::profile::parse_profile(*text, "profile"), fs);
        const Result r = Executor(kernel, *view, fs, as, {}).execute(std::move(changes));
        for (const auto& o : r.outcomes)
            out += std::string(status_name(o.status)) + ": " + o.change->entry.to_string() +
                   (o.status == Status::Failed ? " (" + o.detail + ")" : "") + "\n";
        current = r.new_current();
        out +=
            "current:\n" + nsr::profile::format_profile(current) + "mounted:\n" + mounts_below(s);
    }
    return out;
}

// What DESCRIBE tells of the live view and of a mountinfo snapshot, or why
// they differ; DULL, if given, rejects an answer that would prove nothing.
template <typename Describe>
std::string compare_views(Describe describe, bool (*dull)(const std::string&)) {
    LinuxKernel kernel;
    std::string why;
    if (!LiveMountView::supported(kernel, why))
        return "the kernel cannot answer the live view: " + why;
    LiveMountView live(kernel);
    const MountTable table = MountTable::from_self();
    TableMountView snapshot(table);
    const std::string a = describe(live), b = describe(snapshot);
    if (dull && dull(a))
        return "the answers are all alike:\n" + a;
    return a == b ? std::string() : "live:\n" + a + "mountinfo:\n" + b;
}

// In a private namespace over the mounted world: what ASK tells of the
// live view and of a mountinfo snapshot is the same (compare_views, DULL).
void check_views_agree(std::string (*ask)(MountView&, const std::string&),
                       bool (*dull)(const std::string&)) {
    require_root("mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string report = run_in_private([&] {
        build_world(s, true);
        return compare_views([&](MountView& view) { return ask(view, s); }, dull);
    });
    CHECK_MESSAGE(report.empty(), report);
}

}  // namespace

TEST_CASE("the live view and the mountinfo snapshot tell the same stacks and sources") {
    check_views_agree(stacks, nullptr);
}

TEST_CASE("needed() gives the same verdicts and reasons from the live view as from mountinfo") {
    // The verdicts must differ among themselves, or the test says nothing.
    check_views_agree(verdicts, [](const std::string& a) {
        return a.find(": needed: ") == std::string::npos ||
               a.find(": not needed: ") == std::string::npos;
    });
}

TEST_CASE("the executor leaves the same namespace whichever view it asks") {
    require_root("mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    // Binds (read-only, of a file, recursive), a tmpfs, a layout in a
    // read-only directory (a mimic); then a refresh of one bind, a changed
    // tmpfs, the layout gone (the mimic with it) and a new bind.
    const std::string before = lines(
        s, {"S/src/a S/t/bind none bind,ro 0 0", "S/src/f S/t/file none bind,x-snapd.kind=file 0 0",
            "S/src/a S/t/stack none rbind 0 0", "tmpfs S/t/tmp tmpfs mode=0700 0 0",
            "S/src/b S/ro/new none rbind,rw,x-snapd.origin=layout 0 0"});
    const std::string desired = lines(
        s, {"S/src/b S/t/bind none bind,ro 0 0", "S/src/f S/t/file none bind,x-snapd.kind=file 0 0",
            "S/src/a S/t/stack none rbind 0 0", "tmpfs S/t/tmp tmpfs mode=0755 0 0",
            "S/src/a S/t/none none bind 0 0"});
    const std::string live = run_in_private([&] { return apply_twice(s, before, desired, false); });
    const std::string snapshot =
        run_in_private([&] { return apply_twice(s, before, desired, true); });
    INFO("live:\n" << live << "mountinfo:\n" << snapshot);
    CHECK(live.find("failed") == std::string::npos);
    CHECK(live.find("x-snapd.synthetic") != std::string::npos);
    CHECK(live == snapshot);
}
