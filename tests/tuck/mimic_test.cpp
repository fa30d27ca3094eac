// A layout whose mount point is missing in a read-only directory needs a
// writable mimic there: a tmpfs with the directory's entries bound back.
// Applied and removed again and again while a reader lists the read-only
// directory and reads one of its original files: tucked (the mimic built
// detached and attached in one move, and detached as a whole), the reader
// sees the directory as it was or with the layout, nothing in between;
// with --no-tuck (snapd's order: attach the empty tmpfs, then fill it;
// empty it, then detach it) it does.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/scratch.hpp"
#include "tests/tuck/batch.hpp"
#include "tests/tuck/lab.hpp"
#include "tests/tuck/report.hpp"

namespace nsr::tuck::test {

namespace {

constexpr int kApplies = 50;  // 25 builds and 25 removals of the mimic
constexpr int kFiles = 100;

// A read-only consumer snap/app/1 holding kFiles files and a directory,
// and a provider snap/p/1 whose content a layout puts at snap/app/1/new.
void consumer_and_provider(Lab& lab) {
    lab.write_numbered("img/app", 'o', kFiles, "orig\n");
    lab.write("img/app/data/keep", "data\n");
    lab.bind_ro("img/app", "snap/app/1");
    lab.write("img/p1/lib", "p1\n");
    lab.bind_ro("img/p1", "snap/p/1");
}

std::string layout_entry(const Lab& lab) {
    return lab.path("snap/p/1") + " " + lab.path("snap/app/1/new") +
           " none bind,ro,x-snapd.origin=layout 0 0\n";
}

// kApplies applies alternating the layout and no layout, ending without it.
Report mimic_batch(const std::vector<std::string>& flags) {
    return run_lab(consumer_and_provider, [&](Lab& lab) {
        const std::string dir = lab.path("snap/app/1");
        Batch b;
        b.initial = "";
        // The directory lists its files and data, and new with the layout.
        b.cycle = {{layout_entry(lab), kFiles + 2, 0}, {"", kFiles + 1, 0}};
        b.applies = kApplies;
        b.flags = flags;
        b.dir = dir;
        // The last bind-back made and the first one undone: the longest
        // window snapd's order leaves.
        b.file = numbered('o', kFiles - 1);
        b.accept = {"orig\n"};
        Report r = run_batch(lab, b);
        r.set("mounts_below_dir", mounts_below(lab.table(), dir));
        return r;
    });
}

void check_final_state(const Report& r) {
    // Only the consumer's own read-only bind is left (the batch ends with
    // no layout: an empty current profile), and nothing in it.
    CHECK(r.text("root_at_dir") == "/img/app");
    CHECK(r.num("mounts_below_dir") == 0);
}

}  // namespace

TEST_CASE("tucked mimic build and removal: zero failed reads") {
    check_tucked(mimic_batch, kApplies, check_final_state);
}

TEST_CASE("--no-tuck mimic build and removal shows failures") {
    check_no_tuck_fails(mimic_batch, kApplies, check_final_state,
                        "snapd's mimic order never showed a missing or empty file");
}

}  // namespace nsr::tuck::test
