// History independence: after any run, the namespace is what a fresh
// apply of the same profile to a new namespace gives. Random sequences of
// profiles drawn from a pool (binds from a provider at revision 1 or 2,
// read-only or not, a writable bind, a tmpfs of two modes, a file bind, a
// bind at an existing directory of the read-only base; layouts: an rbind
// needing a mimic, a symlink, a file, a tmpfs nested in a second mimic)
// are applied one after the other in one sandbox; after each step its
// namespace (tests/crash/lab.hpp) is compared with a fresh sandbox given
// only that step's profile.
//
// CI runs NSR_HISTORY_SEQUENCES (default 14) sequences from the fixed seed
// NSR_HISTORY_SEED (default 12); a longer run sets both (README,
// "Reliability"). Those 14 draw each dependence the pool's comments name
// (the nested mimic first in sequence 13).
#include <doctest/doctest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/crash/lab.hpp"
#include "tests/integration/report.hpp"

using namespace nsr::crash;
using nsr::integration::fstab;
using nsr::test::Output;

namespace {

const std::string kLayout = ",x-snapd.origin=layout 0 0";

// The pool: each slot is left out or given one of its variants. Slots
// are in a fixed order, as snapd orders a profile (layouts first).
struct Slot {
    std::vector<std::string> variants;
};

const std::vector<Slot> kPool = {
    // An rbind copies what its source holds when it is made: made in a run
    // after content mounts were made in its source by earlier runs, it
    // would carry them, where a fresh apply makes the layout (which needs
    // a mimic) before them (reconcile/copy_dependents.cpp).
    {{"@/var/snap/foo/common @/base/data none rbind,rw" + kLayout}},
    {{"@/var/snap/foo/common @/base/data none bind,rw" + kLayout}},
    {{"none @/base/tool none x-snapd.kind=symlink,x-snapd.symlink=@/base/share/doc" + kLayout,
      "none @/base/tool none x-snapd.kind=symlink,x-snapd.symlink=@/base/conf" + kLayout}},
    {{"@/snap/provider/2/etc/foo.conf @/base/foo.conf none bind,ro,x-snapd.kind=file" + kLayout}},
    // A nested layout: its mimic on @/base/share, made or kept while a
    // mimic on @/base (for the layout file or the rbind) comes and goes. A
    // fresh apply makes the outer mimic first; a run plans by the mount
    // points a fresh namespace has (reconcile/pristine_fs_view.hpp), and a
    // kept inner mimic is made again after a new outer one, whose
    // recursive bind-back of share would copy it.
    {{"tmpfs @/base/share/cache tmpfs mode=0755" + kLayout}},
    // A content mount at a directory of the read-only @/base that exists:
    // a fresh apply makes it before the mimic on @/base, which copies it
    // into its bind-back of share; a kept mimic is made again around it.
    {{"@/snap/provider/1/lib @/base/share none bind,ro 0 0",
      "@/snap/provider/2/lib @/base/share none bind,ro 0 0"}},
    {{"@/snap/provider/1/lib @/var/snap/foo/common/lib none bind,ro 0 0",
      "@/snap/provider/2/lib @/var/snap/foo/common/lib none bind,ro 0 0",
      "@/snap/provider/1/lib @/var/snap/foo/common/lib none bind,rw 0 0",
      "@/snap/provider/2/lib @/var/snap/foo/common/lib none bind 0 0"}},
    {{"@/var/snap/provider/common/tree @/var/snap/foo/common/tree none rbind,rw 0 0"}},
    {{"@/var/snap/provider/common/tree @/var/snap/foo/common/tree none bind,rw 0 0"}},
    {{"tmpfs @/var/snap/foo/common/tmp tmpfs mode=0700 0 0",
      "tmpfs @/var/snap/foo/common/tmp tmpfs mode=0755 0 0"}},
    {{"@/snap/provider/2/etc/foo.conf @/var/snap/foo/common/foo.conf none "
      "bind,ro,x-snapd.kind=file 0 0"}},
};

unsigned env_or(const char* name, unsigned fallback) {
    const char* v = std::getenv(name);
    return v ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : fallback;
}

// A profile: each slot out (half the time) or one of its variants; of
// two slots with one mount point, the first drawn.
std::vector<std::string> draw(std::mt19937& rng) {
    std::vector<std::string> lines;
    std::set<std::string> dirs;
    for (const Slot& slot : kPool) {
        if (rng() % 2 == 0)
            continue;
        const std::string& line = slot.variants[rng() % slot.variants.size()];
        const size_t at = line.find(' ') + 1;
        if (dirs.insert(line.substr(at, line.find(' ', at) - at)).second)
            lines.push_back(line);
    }
    return lines;
}

std::string profile(const Sandbox& sb, const std::vector<std::string>& lines) {
    return lines.empty() ? "" : at_root(sb, fstab(lines));
}

// Applies LINES in SB (whose pristine labels are LABELS), and checks its
// namespace against a fresh sandbox given only LINES.
void apply_and_compare(const Sandbox& sb, const Labels& labels,
                       const std::vector<std::string>& lines) {
    INFO("current profile before:\n" << sb.current().value_or("(none)\n"));
    sb.set_desired(profile(sb, lines));
    const Output o = sb.apply();
    INFO(o.out << o.err);
    REQUIRE(o.status == 0);
    Sandbox fresh;
    const Labels fresh_labels = pristine_labels(fresh);
    fresh.set_desired(profile(fresh, lines));
    const Output f = fresh.apply();
    INFO(f.out << f.err);
    REQUIRE(f.status == 0);
    const Snapshot want = snapshot(fresh, fresh_labels);
    const Snapshot got = snapshot(sb, labels);
    CHECK_MESSAGE(got == want, "differs from a fresh apply:\n" << diff(want, got));
    CHECK(sb.check().status == 0);
}

// Each of STEPS applied in turn in one sandbox, each compared.
void sequence(const std::vector<std::vector<std::string>>& steps) {
    Sandbox sb;
    const Labels labels = pristine_labels(sb);
    for (size_t step = 0; step < steps.size(); ++step) {
        INFO("step " << step << ":\n" << fstab(steps[step]));
        apply_and_compare(sb, labels, steps[step]);
    }
}

const std::string kTree = "@/var/snap/provider/common/tree @/var/snap/foo/common/tree none ";

}  // namespace

const std::string kDataLayout = "@/var/snap/foo/common @/base/data none rbind,rw" + kLayout;
const std::string kCacheLayout = "tmpfs @/base/share/cache tmpfs mode=0755" + kLayout;
const std::string kFileLayout =
    "@/snap/provider/2/etc/foo.conf @/base/foo.conf none bind,ro,x-snapd.kind=file" + kLayout;

// The history dependences the random sequences found, each alone.
TEST_CASE("history: a change between bind and rbind of one source carries its submounts or not") {
    sequence({{kTree + "bind,rw 0 0"}, {kTree + "rbind,rw 0 0"}, {kTree + "bind,rw 0 0"}});
}

TEST_CASE("history: a sequence of profiles ends where a fresh apply of the last one does") {
    const unsigned seed = env_or("NSR_HISTORY_SEED", 12);
    const unsigned sequences = env_or("NSR_HISTORY_SEQUENCES", 14);
    std::mt19937 rng(seed);
    unsigned steps_total = 0;
    for (unsigned n = 0; n < sequences; ++n) {
        Sandbox sb;
        const Labels labels = pristine_labels(sb);
        const unsigned steps = 2 + rng() % 4;
        std::string history;
        for (unsigned step = 0; step < steps; ++step) {
            const std::vector<std::string> lines = draw(rng);
            history += "step " + std::to_string(step) + ":\n" + fstab(lines);
            INFO("seed " << seed << ", sequence " << n << "\n" << history);
            apply_and_compare(sb, labels, lines);
            ++steps_total;
        }
    }
    std::cout << "history: seed " << seed << ", " << sequences << " sequences, " << steps_total
              << " steps, each compared with a fresh apply\n";
}

// A fresh apply makes the layout (which needs a mimic on @/base) before
// the content bind in its source, and so does a run that adds it.
TEST_CASE("history: an rbind layout made while a content mount is in its source") {
    sequence({{kTree + "bind,rw 0 0"}, {kTree + "bind,rw 0 0", kDataLayout}});
}

// A fresh apply makes the mimic on @/base (for the layout file) before the
// one nested in it, on @/base/share (for the tmpfs); the kept nested one
// is made again after the new outer one.
TEST_CASE("history: a mimic made around a kept nested mimic") {
    sequence({{kCacheLayout}, {kFileLayout, kCacheLayout}});
}

// An rbind copies what its source holds when it is made: a fresh apply
// makes the bind below the source first (its mount point exists, R8.2 in
// reconcile/plan.hpp), so the rbind carries it; a run that adds the bind
// (or takes it away) remakes the kept rbind after it.
TEST_CASE("history: an rbind kept while a mount below its source comes and goes") {
    const std::string inner =
        "@/snap/provider/2/lib @/var/snap/provider/common/tree/inner none bind,ro 0 0";
    sequence({{kTree + "rbind,rw 0 0"}, {kTree + "rbind,rw 0 0", inner}, {kTree + "rbind,rw 0 0"}});
}

// A content mount at a directory of @/base that exists: a fresh apply
// makes it first (R8.2 in reconcile/plan.hpp), then the mimic on @/base,
// whose bind-back of share copies it; a run that adds it, replaces it or
// takes it away while the mimic is kept makes the mimic again around it.
const std::string kShare = "@/snap/provider/1/lib @/base/share none bind,ro 0 0";
const std::string kShare2 = "@/snap/provider/2/lib @/base/share none bind,ro 0 0";

TEST_CASE("history: a content mount in a read-only layout parent while its mimic is kept") {
    sequence({{kFileLayout}, {kShare, kFileLayout}, {kShare2, kFileLayout}, {kFileLayout}});
}

TEST_CASE("history: removing a nested layout takes its mimic down, the outer one stays") {
    sequence({{kDataLayout, kCacheLayout}, {kDataLayout}});
}
