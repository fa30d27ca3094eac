// Every test of this executable runs in a mount namespace of its own whose
// mounts are private: whatever a test mounts never reaches the host, and
// goes away with the process even when the test fails half-way.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>

#include "mntns/namespace.hpp"

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    bool listing = false;
    for (int i = 1; i < argc; ++i)
        listing = listing || std::strncmp(argv[i], "--list", 6) == 0;
    if (listing)
        return context.run();
    // Not a pass: without root nothing here was tested.
    if (::geteuid() != 0) {
        std::fprintf(stderr,
                     "SKIPPED (counted as failed): these tests mount filesystems and "
                     "need root\n");
        return 1;
    }
    try {
        nsr::mntns::unshare_mounts(nsr::mntns::Propagation::Private);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return context.run();
}
