// Mount ids of query results, for comparing them in assertions.
#pragma once

#include <vector>

#include "mountinfo/mount_table.hpp"

namespace nsr::mountinfo::testing {

inline std::vector<long> ids(const std::vector<const Mount*>& mounts) {
    std::vector<long> out;
    for (const Mount* m : mounts)
        out.push_back(m->id);
    return out;
}

// -999 stands for "no mount".
inline long id_of(const Mount* m) {
    return m == nullptr ? -999 : m->id;
}

}  // namespace nsr::mountinfo::testing
