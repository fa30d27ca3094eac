// What the fuzz targets share: a failed expectation aborts with a message,
// which libFuzzer reports as a crash and saves the input for.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "profile/mount_entry.hpp"

#define NSR_FUZZ_EXPECT(cond)                                                                   \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            std::fprintf(stderr, "%s:%d: expectation failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)

namespace nsr::fuzz {

// P as it reads back once written: a missing options field is written as
// "defaults", which reads back as that one option (the same entry for
// snapd and for the kernel).
inline profile::MountProfile normalized(profile::MountProfile p) {
    for (auto& e : p.entries) {
        if (e.options.empty())
            e.options = {"defaults"};
    }
    return p;
}

}  // namespace nsr::fuzz
