// One batch of a tuck test: a reader loops inside the application
// namespace while nsreconcile applies a cycle of desired profiles, one
// after the other, as a provider refresh or a layout change would.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tests/tuck/lab.hpp"
#include "tests/tuck/report.hpp"

namespace nsr::tuck::test {

// A desired profile, and what the reader sees once it is applied: the
// number of entries of its DIR and which accepted text its file holds.
struct Step {
    std::string desired;
    long entries;
    int accepted;
};

struct Batch {
    std::string initial;      // applied before the reader starts
    std::vector<Step> cycle;  // applied in turn, APPLIES times in all
    int applies = 0;
    std::vector<std::string> flags;  // added to every apply of the cycle ("--no-tuck")
    // What the reader reads (DIR/FILE, one of ACCEPT) and lists (DIR).
    std::string dir;
    std::string file;
    std::vector<std::string> accept;
};

// Runs B in LAB and reports the reader's counts (iterations, failures, the
// failure kinds, changes), "failed_applies", "unobserved_applies" (applies
// whose result the reader did not report before the next began) and
// "last_output" (the output of the last apply, or of the last that failed),
// and how it left the namespace: the mounts at DIR (record_stack, key "dir")
// and "current_is_last" (the current profile is the last one applied).
// Every step of the cycle must change what the reader sees.
Report run_batch(const Lab& lab, const Batch& b);

// Parent side: the batch ran to the end, every apply succeeded, and the
// reader was looking all along (it saw the result of every apply, and read
// many times).
void check_batch_ran(const Report& r, int applies);

// Parent side: the reader never failed a read, nor found its file missing
// or DIR empty.
void check_no_failed_reads(const Report& r);

// A batch run with the extra apply flags it is given: what the test cases
// below run.
using BatchRun = std::function<Report(const std::vector<std::string>&)>;

// Parent side: the batch left one mount at DIR, and the current profile is
// the last one it applied.
void check_settled(const Report& r);

// Parent side, as root: BATCH run without extra flags ran
// (check_batch_ran), its reader never failed a read
// (check_no_failed_reads) nor read a text it does not accept, it settled
// (check_settled), and CHECK_FINAL (when given) passes.
void check_tucked(const BatchRun& batch, int applies,
                  const std::function<void(const Report&)>& check_final);

// How many --no-tuck batches a test runs, at most, to see a failed read:
// unlucky scheduling can let one batch slip through its windows.
constexpr int kNoTuckBatches = 3;

// Parent side, as root: runs BATCH with --no-tuck until it shows failed reads, at
// most kNoTuckBatches times, checking each run with check_batch_ran
// (APPLIES), check_settled and CHECK_FINAL; fails, saying NEVER_SEEN and how many batches
// of how many applies ran, when none did.
void check_no_tuck_fails(const BatchRun& batch, int applies,
                         const std::function<void(const Report&)>& check_final,
                         const std::string& never_seen);

}  // namespace nsr::tuck::test
