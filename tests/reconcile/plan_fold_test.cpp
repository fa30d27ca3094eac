// The tuck fold of plan() checked against a plain reading of its rule
// (reconcile/plan.hpp, PlanOptions::tuck) applied to snapd's plan of the
// same profiles, over many random pairs of profiles: plan() decides the
// folds before it builds its changes, and must end where folding the
// built plan does.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/path.hpp"
#include "profile/fstab.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/plan.hpp"

using nsr::profile::MountEntry;
using namespace nsr::reconcile;

namespace {

bool is_rbind_mount(const Change& c) {
    return c.action == Action::Mount && is_mount_kind(c.entry) && nsr::profile::is_rbind(c.entry);
}

// Is UP one of the directories above DIR ("/" or "." at the top)?
bool is_above(const std::string& up, std::string dir) {
    while (dir != "/" && dir != ".") {
        dir = nsr::base::parent_dir(dir);
        if (dir == up)
            return true;
    }
    return false;
}

// The rule, position by position and without an index: the mount of a
// mount kind at DIR takes the unmount there when that is the only unmount
// at DIR and of a mount kind, no unmount of a mount kind is at a directory
// above DIR, and no rbind mounted between the two copies DIR. The old
// entry is then replaced, or (two overlays sharing an upper or work dir)
// unmounted right before the mount instead of where it was.
std::vector<Change> folded(std::vector<Change> changes) {
    const size_t n = changes.size();
    std::vector<size_t> partner(n, n);  // mount -> unmount
    std::vector<bool> taken(n, false);
    for (size_t m = 0; m < n; ++m) {
        const Change& mount = changes[m];
        if (mount.action != Action::Mount || !is_mount_kind(mount.entry))
            continue;
        const std::string& dir = mount.entry.dir;
        std::vector<size_t> at_dir;
        bool above = false;
        for (size_t u = 0; u < n; ++u) {
            if (changes[u].action != Action::Unmount)
                continue;
            if (changes[u].entry.dir == dir)
                at_dir.push_back(u);
            else if (is_mount_kind(changes[u].entry))
                above = above || is_above(changes[u].entry.dir, dir);
        }
        if (at_dir.size() != 1 || !is_mount_kind(changes[at_dir[0]].entry) || above ||
            taken[at_dir[0]])
            continue;
        const size_t u = at_dir[0];
        bool copied = false;
        for (size_t r = u + 1; r < m; ++r) {
            copied =
                copied || (is_rbind_mount(changes[r]) &&
                           nsr::base::is_within(dir, nsr::base::clean_path(changes[r].entry.name)));
        }
        if (copied)
            continue;
        taken[u] = true;
        partner[m] = u;
    }
    std::vector<Change> out;
    for (size_t i = 0; i < n; ++i) {
        if (taken[i])
            continue;
        if (partner[i] == n) {
            out.push_back(changes[i]);
            continue;
        }
        Change old = changes[partner[i]];
        if (nsr::profile::overlay_entries_share_pair(old.entry, changes[i].entry)) {
            out.push_back(old);
            out.push_back(changes[i]);
        } else {
            out.push_back({Action::Replace, changes[i].entry, old.entry});
        }
    }
    return out;
}

// Random profiles over a few nested directories, with every kind of entry
// the fold tells apart, and overlays that sometimes share their pair.
class Profiles {
  public:
    explicit Profiles(unsigned seed) : rng_(seed) {}

    std::string entry() {
        const std::string dir = pick({"/a", "/a/b", "/a/b/c", "/a/d", "/e", "/e/f", "/g"});
        const std::string n = std::to_string(below(2));
        switch (below(8)) {
            case 0:
                return "/src" + n + " " + dir + " none bind" + pick({"", ",ro"}) + " 0 0";
            case 1:
                return pick({"/a", "/e", "/src"}) + " " + dir + " none rbind" +
                       pick({"", ",x-snapd.origin=layout"}) + " 0 0";
            case 2:
                return "tmpfs " + dir + " tmpfs mode=07" + n + "5 0 0";
            case 3:
                return "/s/f" + n + " " + dir + " none bind,x-snapd.kind=file 0 0";
            case 4:
                return "none " + dir + " none x-snapd.kind=symlink,x-snapd.symlink=/t" + n + " 0 0";
            case 5:
                return "overlay " + dir + " overlay lowerdir=/l" + n + ",upperdir=/u" +
                       std::to_string(below(2)) + ",workdir=/w" + std::to_string(below(2)) + " 0 0";
            case 6:
                return "tmpfs " + dir + " tmpfs x-snapd.synthetic,x-snapd.needed-by=" +
                       pick({"/a/b", "/e/f", "/g"}) + " 0 0";
            default:
                return "/src" + n + " " + dir + " none bind,x-snapd.origin=overname 0 0";
        }
    }

    // Current: a few entries. Desired: some of them again, and new ones.
    std::pair<std::string, std::string> pair() {
        std::string current;
        std::string desired;
        for (size_t i = below(7); i > 0; --i) {
            const std::string e = entry() + "\n";
            current += e;
            if (below(2) == 0)
                desired += e;
        }
        for (size_t i = below(6); i > 0; --i)
            desired += entry() + "\n";
        return {current, desired};
    }

    TableFsView fs() {
        std::set<std::string> dirs;
        for (const char* d : {"/a/b/c", "/a/d", "/e/f", "/e", "/a"}) {
            if (below(3) != 0)
                dirs.insert(d);
        }
        std::set<std::string> files;
        if (below(2) == 0)
            files.insert("/g");
        return TableFsView(dirs, files, {});
    }

  private:
    size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    std::string pick(std::initializer_list<const char*> from) {
        return *(from.begin() + below(from.size()));
    }

    std::mt19937 rng_;
};

}  // namespace

TEST_CASE("plan tuck: the folds plan() decides are those of its rule applied to snapd's plan") {
    Profiles random(20261130);
    size_t replaces = 0;
    size_t beside = 0;
    for (int round = 0; round < 3000; ++round) {
        const auto [current_text, desired_text] = random.pair();
        const TableFsView fs = random.fs();
        const auto current = nsr::profile::parse_profile(current_text, "current");
        const auto desired = nsr::profile::parse_profile(desired_text, "desired");
        const auto tucked = plan(current, desired, fs);
        const auto expected = folded(plan(current, desired, fs, {.tuck = false}));
        CAPTURE(current_text);
        CAPTURE(desired_text);
        REQUIRE(tucked == expected);
        replaces += std::count_if(tucked.begin(), tucked.end(),
                                  [](const Change& c) { return c.action == Action::Replace; });
        for (size_t i = 0; i + 1 < tucked.size(); ++i) {
            beside += tucked[i].action == Action::Unmount && tucked[i].entry.type == "overlay" &&
                      tucked[i + 1].action == Action::Mount &&
                      tucked[i + 1].entry.dir == tucked[i].entry.dir;
        }
    }
    // The random profiles reach every outcome of the rule.
    MESSAGE(replaces, " replaces, ", beside, " overlays unmounted right before their successor");
    CHECK(replaces > 300);
    CHECK(beside > 30);
}
