#include <malloc.h>

#include <string>

#include "cmd/commands.hpp"

int main(int argc, char** argv) {
    // A run lives for milliseconds, and its large buffers (profile texts,
    // entry vectors, the plan) come and go. glibc would map each of those
    // on its own and unmap it when freed, and give the top of the heap
    // back, so that the next one faults its pages in afresh; kept in the
    // heap, freed memory is reused instead. A no-op at 3000 entries takes
    // about 190 page faults fewer (bench/README.md, "Peak RSS").
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    nsr::cmd::Args args(argv + 1, argv + argc);
    return nsr::cmd::nsreconcile_main(argc > 0 ? argv[0] : "nsreconcile", args);
}
