// Fuzzes the mountinfo parser and the table built from it: every query the
// planner and the executor make, for every mount point in the table, then
// the updates that follow the tool's own mounts (a mount on top, a mount
// beneath, a detach).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "base/error.hpp"
#include "base/path.hpp"
#include "fuzz/fuzz_check.hpp"
#include "mountinfo/mount_table.hpp"

using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;

namespace {

void query_all(const MountTable& table) {
    for (const Mount& m : table.mounts()) {
        (void)m.read_only();
        (void)m.super_option("mode");
        (void)table.children_of(m.id);
        (void)table.by_device(m.dev());
        NSR_FUZZ_EXPECT(table.by_id(m.id) != nullptr);
        // The queries take absolute, clean paths, as the reconciler passes.
        if (!nsr::base::is_clean_absolute(m.mount_point))
            continue;
        const auto stack = table.stack_at(m.mount_point);
        NSR_FUZZ_EXPECT(!stack.empty());
        (void)table.top_at(m.mount_point);
        if (const Mount* holder = table.containing(m.mount_point)) {
            NSR_FUZZ_EXPECT(table.resolve(m.mount_point).has_value());
            NSR_FUZZ_EXPECT(table.by_id(holder->id) == holder);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    MountTable table;
    try {
        table = MountTable::parse(text, "fuzz");
    } catch (const nsr::base::InputError&) {
        return 0;
    }
    query_all(table);
    if (table.mounts().empty())
        return 0;

    const Mount first = table.mounts().front();
    if (nsr::base::is_clean_absolute(first.mount_point)) {
        Mount on_top = first;
        on_top.id = 0;
        table.add(on_top);
        Mount under = first;
        under.id = 0;
        try {
            table.add(under, true);
        } catch (const std::invalid_argument&) {
            // Nothing but the root there: the kernel refuses too.
        }
        query_all(table);
    }
    table.remove(table.mounts().back().id);
    if (!table.mounts().empty())
        table.remove(table.mounts().front().id);
    query_all(table);
    return 0;
}
