// A provider refresh at DIR while another content bind sits below it, at
// DIR/sub. Detaching the old mount at DIR takes DIR/sub with it, so the
// mount at DIR/sub is made on the new mount while that is still detached,
// and both appear in the one move that tucks the new mount beneath the old.
// A reader of a file in DIR/sub never misses it; with --no-tuck (both
// unmounted, then both mounted) it does.
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

// Provider revisions 1 and 2, each with an empty "sub" directory (and
// revision 2 with one more file, so a reader listing DIR sees every
// refresh); a second provider q (kFiles files) whose content goes at
// data/sub; the consumer.
void providers_and_consumer(Lab& lab) {
    lab.make_provider([&](const std::string& img, int rev) {
        lab.write(img + "/version", "rev" + std::to_string(rev) + "\n");
        lab.make_dirs(img + "/sub");
        if (rev == 2)
            lab.write(img + "/added-in-2", "");
    });
    lab.write_numbered("img/q", 'q', kFiles, "q\n");
    lab.bind_ro("img/q", "snap/q/1");
    lab.make_consumer();
}

std::string profile(const Lab& lab, int rev) {
    return lab.content_entry(rev) + lab.path("snap/q/1") + " " + lab.path("snap/app/1/data") +
           "/sub none bind,ro 0 0\n";
}

Report children_batch(const std::vector<std::string>& flags) {
    return run_lab(providers_and_consumer, [&](Lab& lab) {
        const std::string dir = lab.path("snap/app/1/data");
        Batch b;
        b.initial = profile(lab, 1);
        // DIR lists version and sub, and added-in-2 in revision 2.
        b.cycle = {{profile(lab, 2), 3, 0}, {profile(lab, 1), 2, 0}};
        b.applies = kRefreshes;
        b.flags = flags;
        b.dir = dir;
        b.file = "sub/" + numbered('q', kFiles / 2);
        b.accept = {"q\n"};
        Report r = run_batch(lab, b);
        const auto table = lab.table();
        const auto at_dir = table.stack_at(dir);
        const auto at_sub = record_stack(r, table, dir + "/sub", "sub");
        r.set("sub_on_dir",
              !at_dir.empty() && !at_sub.empty() && at_sub.front()->parent_id == at_dir.front()->id
                  ? 1
                  : 0);
        return r;
    });
}

void check_final_state(const Report& r) {
    CHECK(r.text("root_at_dir") == "/img/p1");
    CHECK(r.num("mounts_at_sub") == 1);
    CHECK(r.text("root_at_sub") == "/img/q");
    CHECK(r.num("sub_on_dir") == 1);
}

}  // namespace

TEST_CASE("tucked refresh carries the mounts below DIR: zero failed reads") {
    nsr::test::require_root("mounts in private namespaces");
    const Report r = children_batch({"--json"});
    check_batch_ran(r, kRefreshes);
    check_no_failed_reads(r);
    // The last refresh said how the mount below DIR was made.
    CHECK(r.text("last_output").find("\"detail\": \"mounted on the new mount at ") !=
          std::string::npos);
    check_settled(r);
    check_final_state(r);
}

TEST_CASE("--no-tuck refresh loses the mounts below DIR for a while") {
    check_no_tuck_fails(children_batch, kRefreshes, check_final_state,
                        "unmount-then-mount never showed DIR/sub empty");
}

}  // namespace nsr::tuck::test
