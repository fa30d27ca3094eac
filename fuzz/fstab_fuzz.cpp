// Fuzzes the profile parser (lenient and strict), validation, the x-snapd
// accessors, the option-to-flag mapping and the round trip: whatever the
// parser accepts is written out (as the current profile is saved) and must
// read back as the same entries.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "fuzz/fuzz_check.hpp"
#include "profile/flags.hpp"
#include "profile/fstab.hpp"
#include "profile/validate.hpp"
#include "profile/xsnapd.hpp"

using namespace nsr::profile;

namespace {

void use_accessors(const MountEntry& e) {
    (void)kind(e);
    (void)origin(e);
    (void)entry_id(e);
    (void)needed_by(e);
    (void)symlink_target(e);
    (void)must_exist_dir(e);
    (void)options_to_flags(e.options);
    // Malformed numbers are std::invalid_argument, which validation reports.
    for (auto accessor :
         {+[](const MountEntry& x) { (void)mode(x); }, +[](const MountEntry& x) { (void)uid(x); },
          +[](const MountEntry& x) { (void)gid(x); }}) {
        try {
            accessor(e);
        } catch (const std::invalid_argument&) {
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<Problem> problems;
    const MountProfile lenient = parse_profile(text, "fuzz", &problems);
    bool strict_ok = true;
    try {
        NSR_FUZZ_EXPECT(parse_profile(text, "fuzz") == lenient);
    } catch (const nsr::base::InputError&) {
        strict_ok = false;
    }
    NSR_FUZZ_EXPECT(strict_ok == problems.empty());

    const auto semantic = validate_profile(lenient);
    for (const auto& e : lenient.entries)
        use_accessors(e);

    // The current profile is saved in this form and read back on the next
    // run; a valid profile must survive that.
    if (semantic.empty()) {
        const MountProfile again = parse_profile(format_profile(lenient), "fuzz (written)");
        NSR_FUZZ_EXPECT(nsr::fuzz::normalized(again) == nsr::fuzz::normalized(lenient));
    }
    return 0;
}
