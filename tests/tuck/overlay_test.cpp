// An overlay entry whose layers change, while a reader inside the
// application namespace keeps reading a file under its directory and
// listing it: the new overlay is attached beneath the old one, so the reader
// sees the old layers' content or the new, never an empty directory; with
// --no-tuck (unmount, then mount) it does. Two cases: a read-only overlay
// whose two lower layers swap, and one whose layer and upper/work pair
// both change (the two pairs take turns, so no two live overlays share one).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/scratch.hpp"
#include "tests/tuck/batch.hpp"
#include "tests/tuck/lab.hpp"
#include "tests/tuck/report.hpp"

namespace nsr::tuck::test {

namespace {

constexpr int kChanges = 30;
constexpr int kFiles = 50;

// Two read-only layers, "one" and "two", each with the same kFiles files
// naming the layer, and the upper/work pairs u1/w1 and u2/w2.
void layers(Lab& lab) {
    for (const char* layer : {"one", "two"}) {
        lab.write_numbered(std::string("img/") + layer, 'f', kFiles, std::string(layer) + "\n");
        lab.bind_ro(std::string("img/") + layer, std::string("layers/") + layer);
    }
    for (const char* d : {"var/u1", "var/w1", "var/u2", "var/w2", "app/merged"})
        lab.make_dirs(d);
}

// The overlay at app/merged of the layers TOP then BOTTOM (lowerdir), with
// the upper/work pair N when N > 0.
std::string overlay_entry(const Lab& lab, const std::string& top, const std::string& bottom,
                          int n) {
    std::string options =
        "lowerdir=" + lab.path("layers/" + top) + ":" + lab.path("layers/" + bottom);
    if (n > 0) {
        const std::string i = std::to_string(n);
        options += ",upperdir=" + lab.path("var/u" + i) + ",workdir=" + lab.path("var/w" + i);
    }
    return "overlay " + lab.path("app/merged") + " overlay " + options + " 0 0\n";
}

// APPLIES changes between the two entries of a cycle; WITH_UPPER gives
// each its own upper/work pair.
Report overlay_batch(bool with_upper, const std::vector<std::string>& flags,
                     int applies = kChanges) {
    return run_lab(layers, [&](Lab& lab) {
        const std::string first = overlay_entry(lab, "one", "two", with_upper ? 1 : 0);
        const std::string second = overlay_entry(lab, "two", "one", with_upper ? 2 : 0);
        Batch b;
        b.initial = first;
        b.cycle = {{second, kFiles, 1}, {first, kFiles, 0}};
        b.applies = applies;
        b.flags = flags;
        b.dir = lab.path("app/merged");
        b.file = numbered('f', kFiles / 2);
        b.accept = {"one\n", "two\n"};
        return run_batch(lab, b);
    });
}

}  // namespace

TEST_CASE("tucked layer change of a read-only overlay: zero failed reads") {
    check_tucked([](const auto& flags) { return overlay_batch(false, flags); }, kChanges, {});
}

TEST_CASE("tucked layer change with a new upper: zero failed reads") {
    check_tucked([](const auto& flags) { return overlay_batch(true, flags); }, kChanges, {});
}

// snapd's plan unmounts an overlay without detaching it, so while the
// reader holds a file or the directory open the unmount fails (EBUSY) and
// the new overlay lands on the old one; when it does not, the reader sees
// the directory empty. Either shows what tucking avoids. Two changes a
// batch: once one failed, the namespace is no longer what the cycle
// expects, and the batch would only wait.
TEST_CASE("--no-tuck layer change of an overlay shows failures") {
    nsr::test::require_root("mounts in private namespaces");
    long failures = 0;
    std::string output;
    for (int batch = 0; batch < kNoTuckBatches && failures == 0; ++batch) {
        const Report r = overlay_batch(false, {"--no-tuck"}, 2);
        REQUIRE_MESSAGE(r.error().empty(), r.error());
        failures = r.num("failures") + r.num("failed_applies");
        output = r.text("last_output");
    }
    CHECK_MESSAGE(failures > 0,
                  "unmount-then-mount neither failed nor showed an empty directory in ",
                  kNoTuckBatches, " batches; last output: ", output);
}

}  // namespace nsr::tuck::test
