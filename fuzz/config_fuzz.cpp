// Fuzzes the configuration file loader: any input is either a Config or a
// UsageError (exit 2 naming the file and line), never another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cmd/config.hpp"
#include "cmd/exit_code.hpp"
#include "cmd/layout.hpp"

using namespace nsr::cmd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const Config c = parse_config(text, "fuzz.yaml");
        for (const auto& [layout, templates] : c.paths) {
            for (const auto& t :
                 {templates.ns_file, templates.desired, templates.current, templates.lock}) {
                if (t)
                    (void)expand_name(*t, "app");
            }
        }
    } catch (const UsageError&) {
    }
    return 0;
}
