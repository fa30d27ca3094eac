// One row of a table that turns option names into flag bits: libmount's
// Linux map (MS_* flags), runc's recursive flags (MOUNT_ATTR_* bits) and
// runc's mount flags are all such tables, where a name sets its bits or, for
// a negation ("rw", "suid", "rrw", ...), clears them.
#pragma once

#include <cstddef>
#include <string_view>

namespace nsr::profile {

template <typename Bits>
struct NamedFlag {
    std::string_view name;
    Bits bits;
    bool clear;  // the negation: clears BITS

    // FLAGS with this row applied: BITS set, or cleared for a negation.
    constexpr Bits applied_to(Bits flags) const { return clear ? flags & ~bits : flags | bits; }
};

// The row of TABLE named NAME, or nullptr. Tables are short: a linear scan.
template <typename Bits, std::size_t N>
constexpr const NamedFlag<Bits>* find_named_flag(const NamedFlag<Bits> (&table)[N],
                                                 std::string_view name) {
    for (const NamedFlag<Bits>& row : table) {
        if (row.name == name)
            return &row;
    }
    return nullptr;
}

}  // namespace nsr::profile
