// For the benchmarks that mount (tuck_refresh, volatile_reuse): a scratch
// directory on the host, and their work run in a private mount namespace,
// so that every mount they make vanishes with it.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "mntns/namespace.hpp"

namespace nsr::bench {

// A new directory made from TEMPLATE (mkdtemp's, ending in XXXXXX); the
// process exits with 1 when it cannot be made.
inline std::string scratch_dir(std::string tmpl) {
    if (!::mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        std::exit(1);
    }
    return tmpl;
}

// Runs BODY in a child in a private mount namespace; returns the exit code
// for main(): 0, or 1 after saying on stderr, behind NAME, why BODY failed.
inline int run_private(const char* name, const std::function<void()>& body) {
    try {
        nsr::mntns::run_in_private([&] {
            body();
            return std::string();
        });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 1;
    }
    return 0;
}

}  // namespace nsr::bench
