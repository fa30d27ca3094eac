#include "tests/tuck/batch.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "tests/support/scratch.hpp"
#include "tests/tuck/reader_process.hpp"

namespace nsr::tuck::test {

Report run_batch(const Lab& lab, const Batch& b) {
    const auto first = lab.apply(b.initial);
    if (first.status != 0)
        throw std::runtime_error("the initial apply failed: " + first.out);
    Report r;
    long failed = 0;
    std::string last_output;
    Reader reader(lab.ns_file(), b.dir, b.file, b.accept);
    long unobserved = 0;
    for (int i = 0; i < b.applies; ++i) {
        const Step& step = b.cycle[static_cast<size_t>(i) % b.cycle.size()];
        reader.forget_seen();
        const auto run = lab.apply(step.desired, b.flags);
        if (run.status != 0 || failed == 0)
            last_output = run.out;
        if (run.status != 0)
            ++failed;
        // The reader must have seen the result before the next apply, or it
        // was not there to see the windows.
        if (!reader.wait_until_seen(step.entries, step.accepted, 10000))
            ++unobserved;
    }
    const ReaderCounts c = reader.stop();
    r.set("iterations", c.iterations);
    r.set("failures", c.failures());
    r.set("enoent", c.enoent);
    r.set("read_errno", c.read_errno);
    r.set("unexpected", c.unexpected);
    r.set("empty_listing", c.empty_listing);
    r.set("list_errno", c.list_errno);
    r.set("changes", c.changes);
    r.set("failed_applies", failed);
    r.set("unobserved_applies", unobserved);
    r.set("last_output", last_output);
    record_stack(r, lab.table(), b.dir, "dir");
    const std::string& last =
        b.applies > 0 ? b.cycle[static_cast<size_t>(b.applies - 1) % b.cycle.size()].desired
                      : b.initial;
    r.set("current_is_last", lab.current() == last ? 1 : 0);
    return r;
}

void check_batch_ran(const Report& r, int applies) {
    REQUIRE_MESSAGE(r.error().empty(), r.error());
    CHECK_MESSAGE(r.num("failed_applies") == 0, r.text("last_output"));
    // A reader that did not read while the namespace changed proves nothing.
    CHECK(r.num("unobserved_applies") == 0);
    CHECK(r.num("changes") >= applies);
    CHECK(r.num("iterations") >= 10L * applies);
}

void check_no_failed_reads(const Report& r) {
    CHECK(r.num("failures") == 0);
    CHECK(r.num("enoent") == 0);
    CHECK(r.num("empty_listing") == 0);
}

void check_settled(const Report& r) {
    CHECK(r.num("mounts_at_dir") == 1);
    CHECK(r.num("current_is_last") == 1);
}

void check_tucked(const BatchRun& batch, int applies,
                  const std::function<void(const Report&)>& check_final) {
    nsr::test::require_root("mounts in private namespaces");
    const Report r = batch({});
    check_batch_ran(r, applies);
    check_no_failed_reads(r);
    CHECK(r.num("unexpected") == 0);
    check_settled(r);
    if (check_final)
        check_final(r);
}

void check_no_tuck_fails(const BatchRun& batch, int applies,
                         const std::function<void(const Report&)>& check_final,
                         const std::string& never_seen) {
    nsr::test::require_root("mounts in private namespaces");
    long failures = 0;
    for (int i = 0; i < kNoTuckBatches && failures == 0; ++i) {
        const Report r = batch({"--no-tuck"});
        check_batch_ran(r, applies);
        check_settled(r);
        check_final(r);
        failures += r.num("failures");
    }
    CHECK_MESSAGE(failures > 0, never_seen, " in ", kNoTuckBatches, " batches of ", applies,
                  " applies");
}

}  // namespace nsr::tuck::test
