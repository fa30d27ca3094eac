// plan() + needed() for a generated 10,000-entry profile against a
// 10,000-line mount table, next to the time it takes just to read those
// inputs, in one process run; prints a Markdown table.
//
//   plan_large [ENTRIES [REPETITIONS]]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench/measure.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/needed.hpp"
#include "reconcile/plan.hpp"
#include "reconcile/table_mount_view.hpp"

using nsr::mountinfo::MountTable;
using nsr::profile::parse_profile;
using namespace nsr::reconcile;

namespace {

// One namespace of a snap "app" with a lot of plugs, as the profiles,
// the mount table and the file facts that go with it.
struct Scenario {
    std::string current;  // the log as apply wrote it: rootfs, ..., mimics
    std::string desired;  // the same after 10% of the sources moved
    std::string mountinfo;
    std::set<std::string> dirs;
    std::set<std::string> files;
    std::map<std::string, std::string> symlinks;
};

class Generator {
  public:
    explicit Generator(size_t entries) : scale_(entries / 10000.0) {}

    Scenario make() {
        line("1 0 7:0 / / ro,relatime - squashfs /dev/loop0 ro");
        const long var_snap = line("2 1 8:1 /var/snap /var/snap rw,relatime - ext4 /dev/sda1 rw");
        for (int p = 0; p < kProviders; ++p) {
            for (int rev = 10; rev <= 11; ++rev)
                provider_mount(p, rev);
        }
        both("tmpfs / tmpfs x-snapd.origin=rootfs 0 0", false);
        const long app = overname();
        content(app);
        data(var_snap);
        layouts();
        tmpfs_mounts(var_snap);
        removed(app);
        new_entries();
        return std::move(s_);
    }

  private:
    static constexpr int kProviders = 50;
    static constexpr int kRefreshed = 5;  // providers 0..4 move to revision 11: 10%

    size_t count(double at_10000) const {
        return std::max<size_t>(1, static_cast<size_t>(at_10000 * scale_));
    }
    static int rev_before(int) { return 10; }
    static int rev_after(int p) { return p < kRefreshed ? 11 : 10; }
    static std::string dev(int p, int rev) {
        return "7:" + std::to_string(100 + 2 * p + (rev - 10));
    }

    std::string next() { return std::to_string(++id_); }
    // Appends a mountinfo line and returns its id (the first field).
    long line(const std::string& text) {
        s_.mountinfo += text + "\n";
        return std::atol(text.c_str());
    }
    void current(const std::string& e) { s_.current += e + "\n"; }
    void desired(const std::string& e) { s_.desired += e + "\n"; }
    void both(const std::string& e, bool in_desired = true) {
        current(e);
        if (in_desired)
            desired(e);
    }
    void provider_mount(int p, int rev) {
        const std::string dir = "/snap/prov" + std::to_string(p) + "/" + std::to_string(rev);
        line(next() + " 1 " + dev(p, rev) + " / " + dir + " ro,relatime - squashfs /dev/loop" +
             std::to_string(100 + 2 * p + rev - 10) + " ro");
    }

    // A bind at DIR (which exists) that provider P's refresh moves from
    // SRC(rev_before(P)) to SRC(rev_after(P)), with OPTIONS.
    void refreshed_bind(int p, const std::function<std::string(int)>& src, const std::string& dir,
                        const std::string& options) {
        current(src(rev_before(p)) + " " + dir + " none " + options + " 0 0");
        desired(src(rev_after(p)) + " " + dir + " none " + options + " 0 0");
        s_.dirs.insert(dir);
    }

    // The app is a parallel instance: its squashfs is mounted under
    // /snap/app_x and bound over /snap/app. Returns the id of the app's
    // squashfs as seen under /snap/app/1.
    long overname() {
        line(next() + " 1 7:1 / /snap/app_x/1 ro,relatime - squashfs /dev/loop1 ro");
        both("/snap/app_x /snap/app none rbind,x-snapd.origin=overname 0 0");
        const long bound =
            line(next() + " 1 7:0 /snap/app_x /snap/app ro,relatime - squashfs /dev/loop0 ro");
        s_.dirs.insert("/snap/app_x/1");
        return line(next() + " " + std::to_string(bound) +
                    " 7:1 / /snap/app/1 ro,relatime - squashfs /dev/loop1 ro");
    }

    // Read-only content binds out of the providers' squashfs revisions,
    // into directories that exist in the app's squashfs.
    void content(long app) {
        for (size_t i = 0; i < count(7349); ++i) {
            const int p = static_cast<int>(i % kProviders);
            const std::string name = "c" + std::to_string(i);
            const std::string dir = "/snap/app/1/content/" + name;
            auto src = [&](int rev) {
                return "/snap/prov" + std::to_string(p) + "/" + std::to_string(rev) + "/share/" +
                       name;
            };
            refreshed_bind(p, src, dir, "bind,ro");
            line(next() + " " + std::to_string(app) + " " + dev(p, rev_before(p)) + " /share/" +
                 name + " " + dir + " ro,relatime - squashfs /dev/loop ro");
            s_.dirs.insert(src(10));
            s_.dirs.insert(src(11));
        }
    }

    // Writable data binds out of the providers' per-revision data, every
    // third with a nested bind inside it (dragged along when its parent moves).
    void data(long var_snap) {
        for (size_t i = 0; i < count(1200); ++i) {
            const int p = static_cast<int>(i % kProviders);
            const std::string name = "d" + std::to_string(i);
            const std::string dir = "/var/snap/app/common/" + name;
            auto src = [&](int rev) {
                return "/var/snap/prov" + std::to_string(p) + "/" + std::to_string(rev) + "/" +
                       name;
            };
            refreshed_bind(p, src, dir, "bind");
            const long parent =
                line(next() + " " + std::to_string(var_snap) + " 8:1 " + src(rev_before(p)) + " " +
                     dir + " rw,relatime - ext4 /dev/sda1 rw");
            s_.dirs.insert(src(10) + "/sub");
            s_.dirs.insert(src(11) + "/sub");
            if (i % 3 == 0) {
                both("/var/snap/shared/" + name + " " + dir + "/sub none bind 0 0");
                line(next() + " " + std::to_string(parent) + " 8:1 /var/snap/shared/" + name + " " +
                     dir + "/sub rw,relatime - ext4 /dev/sda1 rw");
                s_.dirs.insert(dir + "/sub");
                s_.dirs.insert("/var/snap/shared/" + name);
            }
        }
    }

    // Layouts into read-only places of the base: each group had a writable
    // mimic built (tmpfs + the original entries bound back), recorded as
    // synthetic entries ahead of the layouts that needed it.
    void layouts() {
        for (size_t g = 0; g < count(20); ++g) {
            const std::string base = "/usr/lib/g" + std::to_string(g);
            const std::string owner = base + "/l0";
            const std::string synthetic = "x-snapd.synthetic,x-snapd.needed-by=" + owner;
            current("tmpfs " + base + " tmpfs " + synthetic + ",mode=0755,uid=0,gid=0 0 0");
            const long tmpfs = line(next() + " 1 0:" + std::to_string(500 + g) + " / " + base +
                                    " rw,relatime - tmpfs tmpfs rw,mode=755");
            for (int k = 0; k < 40; ++k) {
                const std::string path = base + "/e" + std::to_string(k);
                current(path + " " + path + " none rbind," + synthetic + ",x-snapd.detach 0 0");
                line(next() + " " + std::to_string(tmpfs) + " 7:0 " + path + " " + path +
                     " ro,relatime - squashfs /dev/loop0 ro");
                s_.dirs.insert(path);
            }
            for (int k = 0; k < 30; ++k) {
                const std::string dir = base + "/l" + std::to_string(k);
                const std::string src =
                    "/snap/app/1/layout/g" + std::to_string(g) + "/l" + std::to_string(k);
                both(src + " " + dir + " none rbind,rw,x-snapd.origin=layout 0 0");
                line(next() + " " + std::to_string(tmpfs) + " 7:1 /layout/g" + std::to_string(g) +
                     "/l" + std::to_string(k) + " " + dir +
                     " ro,relatime - squashfs /dev/loop1 ro");
                s_.dirs.insert(dir);
                s_.dirs.insert(src);
            }
            for (int k = 0; k < 10; ++k) {
                const std::string dir = base + "/s" + std::to_string(k);
                const std::string target = "/snap/app/1/s" + std::to_string(k);
                both("none " + dir + " none x-snapd.kind=symlink,x-snapd.symlink=" + target +
                     ",x-snapd.origin=layout 0 0");
                s_.symlinks[dir] = target;
            }
        }
    }

    void tmpfs_mounts(long var_snap) {
        for (size_t k = 0; k < count(200); ++k) {
            const std::string dir = "/var/snap/app/common/t" + std::to_string(k);
            both("tmpfs " + dir + " tmpfs mode=0755 0 0");
            line(next() + " " + std::to_string(var_snap) + " 0:" + std::to_string(1000 + k) +
                 " / " + dir + " rw,relatime - tmpfs tmpfs rw,mode=755");
            s_.dirs.insert(dir);
        }
    }

    // Plugs disconnected since the last run: mounted, not desired.
    void removed(long app) {
        for (size_t k = 0; k < count(50); ++k) {
            const std::string dir = "/snap/app/1/gone/r" + std::to_string(k);
            current("/snap/prov9/10/share/r" + std::to_string(k) + " " + dir + " none bind,ro 0 0");
            s_.dirs.insert("/snap/prov9/10/share/r" + std::to_string(k));
            line(next() + " " + std::to_string(app) + " " + dev(9, 10) + " /share/r" +
                 std::to_string(k) + " " + dir + " ro,relatime - squashfs /dev/loop ro");
            s_.dirs.insert(dir);
        }
    }

    // Plugs connected since: their mount points do not exist yet.
    void new_entries() {
        for (size_t k = 0; k < count(50); ++k) {
            desired("/snap/prov7/10/share/n" + std::to_string(k) + " /snap/app/1/new/n" +
                    std::to_string(k) + " none bind,ro 0 0");
        }
    }

    double scale_;
    long id_ = 2;
    Scenario s_;
};

using nsr::bench::measure;
using nsr::bench::Timing;

size_t needed_count(const std::vector<Change>& changes, const MountTable& table, const FsView& fs) {
    TableMountView view(table);
    size_t n = 0;
    for (const auto& c : changes)
        n += needed(c, view, fs).needed ? 1 : 0;
    return n;
}

struct Run {
    size_t current_entries, desired_entries, table_lines;
    Timing parse_profiles, parse_table, plan_tuck, plan_snapd, judge;
    std::map<Action, size_t> actions;
    size_t needed = 0;
    // Keeps judged missing, unmounts or replaces judged already done. (A
    // mount may be: a child dragged along by its parent is still in place
    // in the table from before the run.)
    size_t wrong = 0;
};

Run run(size_t entries, int repetitions) {
    const Scenario s = Generator(entries).make();
    const auto current = parse_profile(s.current, "current");
    const auto desired = parse_profile(s.desired, "desired");
    const MountTable table = MountTable::parse(s.mountinfo);
    const TableFsView fs(s.dirs, s.files, s.symlinks);
    const auto changes = plan(current, desired, fs);

    Run r{};
    r.current_entries = current.entries.size();
    r.desired_entries = desired.entries.size();
    r.table_lines = table.mounts().size();
    TableMountView view(table);
    for (const auto& c : changes) {
        ++r.actions[c.action];
        const bool n = needed(c, view, fs).needed;
        r.needed += n ? 1 : 0;
        if (c.action != Action::Mount)
            r.wrong += (c.action == Action::Keep) == n ? 1 : 0;
    }
    r.parse_profiles = measure(repetitions, [&] {
        return parse_profile(s.current, "current").entries.size() +
               parse_profile(s.desired, "desired").entries.size();
    });
    r.parse_table =
        measure(repetitions, [&] { return MountTable::parse(s.mountinfo).mounts().size(); });
    r.plan_tuck = measure(repetitions, [&] { return plan(current, desired, fs).size(); });
    r.plan_snapd =
        measure(repetitions, [&] { return plan(current, desired, fs, {.tuck = false}).size(); });
    r.judge = measure(repetitions, [&] { return needed_count(changes, table, fs); });
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t entries = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
    const int repetitions = argc > 2 ? std::atoi(argv[2]) : 11;

    const Run r = run(entries, repetitions);
    std::printf(
        "Desired profile of %zu entries, current profile of %zu (with the mimics' synthetic "
        "entries), mount table of %zu lines; median of %d runs.\n\n",
        r.desired_entries, r.current_entries, r.table_lines, repetitions);
    std::printf("Plan: %zu keep, %zu unmount, %zu mount, %zu replace; needed: %zu. ",
                r.actions.count(Action::Keep) ? r.actions.at(Action::Keep) : 0,
                r.actions.count(Action::Unmount) ? r.actions.at(Action::Unmount) : 0,
                r.actions.count(Action::Mount) ? r.actions.at(Action::Mount) : 0,
                r.actions.count(Action::Replace) ? r.actions.at(Action::Replace) : 0, r.needed);
    std::printf("Verdicts that contradict the generated state: %zu.\n\n", r.wrong);
    std::printf("| what | median ms | min ms |\n|---|---:|---:|\n");
    auto row = [](const char* what, Timing t) {
        std::printf("| %s | %.2f | %.2f |\n", what, t.median_ms, t.min_ms);
    };
    row("**baseline**: parse both profiles", r.parse_profiles);
    row("parse the mount table (for scale)", r.parse_table);
    row("plan() (tuck)", r.plan_tuck);
    row("plan() (--no-tuck, snapd's plan)", r.plan_snapd);
    row("needed() for every change", r.judge);
    const double total = r.plan_tuck.median_ms + r.judge.median_ms;
    std::printf("\nplan() + needed(): **%.2f ms**, %.2fx the time to parse the two profiles.\n",
                total, total / r.parse_profiles.median_ms);

    std::printf("\nScaling (one median per size; per entry of the desired profile):\n\n");
    std::printf("| entries | plan() + needed() ms | us per entry |\n|---:|---:|---:|\n");
    for (size_t n : {entries / 4, entries / 2, entries, entries * 2}) {
        const Run s = run(n, std::max(3, repetitions / 2));
        const double ms = s.plan_tuck.median_ms + s.judge.median_ms;
        std::printf("| %zu | %.2f | %.2f |\n", s.desired_entries, ms,
                    1000.0 * ms / static_cast<double>(s.desired_entries));
    }
    return r.wrong == 0 ? 0 : 1;
}
