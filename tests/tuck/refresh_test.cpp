// A provider refresh (the content bind at DIR changes its source from one
// revision to the other) while a reader inside the application namespace
// keeps reading a file under DIR and listing DIR: tucked, it never sees
// anything but the old or the new revision; with --no-tuck (snapd's
// unmount-then-mount) it does.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/scratch.hpp"
#include "tests/tuck/batch.hpp"
#include "tests/tuck/lab.hpp"
#include "tests/tuck/report.hpp"

namespace nsr::tuck::test {

namespace {

constexpr int kRefreshes = 50;
constexpr int kFiles = 100;

// Revisions 1 and 2 of a provider snap (kFiles files each, their content
// naming the revision) and a consumer whose snap/app/1/data gets one of
// them by a read-only content bind.
void provider_and_consumer(Lab& lab) {
    lab.make_provider([&](const std::string& img, int rev) {
        lab.write_numbered(img, 'f', kFiles, "rev" + std::to_string(rev) + "\n");
    });
    lab.make_consumer();
}

// kRefreshes refreshes 1 -> 2 -> 1 ..., ending on revision 1, and what the
// namespace and the current profile look like afterwards.
Report refresh_batch(const std::vector<std::string>& flags) {
    return run_lab(provider_and_consumer, [&](Lab& lab) {
        const std::string dir = lab.path("snap/app/1/data");
        Batch b;
        b.initial = lab.content_entry(1);
        b.cycle = {{lab.content_entry(2), kFiles, 1}, {lab.content_entry(1), kFiles, 0}};
        b.applies = kRefreshes;
        b.flags = flags;
        b.dir = dir;
        b.file = numbered('f', kFiles / 2);
        b.accept = {"rev1\n", "rev2\n"};
        return run_batch(lab, b);
    });
}

void check_final_state(const Report& r) {
    CHECK(r.text("root_at_dir") == "/img/p1");
}

}  // namespace

TEST_CASE("tucked provider refresh: zero failed reads") {
    check_tucked(refresh_batch, kRefreshes, check_final_state);
}

TEST_CASE("--no-tuck provider refresh shows failures") {
    check_no_tuck_fails(refresh_batch, kRefreshes, check_final_state,
                        "unmount-then-mount never showed an empty DIR");
}

}  // namespace nsr::tuck::test
