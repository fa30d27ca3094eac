// Fuzzes the scenario loader and everything `plan --scenario` does with what
// it loaded: the plan with and without tucking, needed() against the
// scenario's mount table and file facts, and both renderings. Only the
// loader may refuse an input, and only with its documented error.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "base/error.hpp"
#include "cmd/json_text.hpp"
#include "cmd/render.hpp"
#include "cmd/scenario.hpp"
#include "cmd/text_report.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace nsr::cmd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    Scenario s;
    try {
        s = parse_scenario(text, "fuzz.yaml");
    } catch (const nsr::base::InputError& e) {
        // Every error names the file, so that the one line printed for it
        // says where the problem is.
        NSR_FUZZ_EXPECT(std::string(e.what()).starts_with("fuzz.yaml"));
        return 0;
    }
    for (bool tuck : {true, false}) {
        const auto changes = plan_scenario(s, tuck);
        (void)plan_text(changes, s.table.has_value(), TextStyle{.all = true});
        (void)reason_lines(changes);
        (void)dump_json(plan_json(changes));
    }
    return 0;
}
