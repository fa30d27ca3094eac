// Records which functions of nsreconcile run, for scripts/order-functions:
// linked into the binary only when it is built with NSR_FUNCTION_TRACE=ON,
// which also compiles the product with -finstrument-functions, so that GCC
// calls __cyg_profile_func_enter on entry to every function of ours (inlined
// ones included). Each distinct function's offset from the start of the
// executable is written, one hexadecimal number per line, to the file named
// by NSR_FUNCTION_TRACE when the process exits. The file is opened before
// main, since the tool may enter another mount namespace where its path
// means something else. No allocation and no library call happens on the
// recording path: it may run inside anything, the allocator included.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

extern "C" char __executable_start;

namespace {

constexpr std::size_t kSlots = 1 << 16;  // far more than the functions that run
std::uintptr_t slots[kSlots];
int out_fd = -1;

[[gnu::no_instrument_function]] void record(std::uintptr_t offset) {
    std::size_t i = (offset * 0x9E3779B97F4A7C15ull) >> 48;
    for (std::size_t probes = 0; probes < kSlots; ++probes, i = (i + 1) % kSlots) {
        if (slots[i] == offset)
            return;
        if (slots[i] == 0) {
            slots[i] = offset;
            return;
        }
    }
}

[[gnu::no_instrument_function, gnu::constructor(101)]] void open_trace() {
    if (const char* path = std::getenv("NSR_FUNCTION_TRACE"))
        out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

[[gnu::no_instrument_function, gnu::destructor(101)]] void write_trace() {
    if (out_fd < 0)
        return;
    char buf[4096];
    std::size_t used = 0;
    for (std::uintptr_t offset : slots) {
        if (offset == 0)
            continue;
        if (used + 20 > sizeof buf) {
            if (write(out_fd, buf, used) < 0)
                return;
            used = 0;
        }
        char digits[17];
        int n = 0;
        do {
            digits[n++] = "0123456789abcdef"[offset % 16];
            offset /= 16;
        } while (offset != 0);
        while (n > 0)
            buf[used++] = digits[--n];
        buf[used++] = '\n';
    }
    if (used > 0 && write(out_fd, buf, used) < 0)
        return;
    close(out_fd);
}

}  // namespace

extern "C" [[gnu::no_instrument_function]] void __cyg_profile_func_enter(void* fn, void*) {
    record(reinterpret_cast<std::uintptr_t>(fn) -
           reinterpret_cast<std::uintptr_t>(&__executable_start));
}

extern "C" [[gnu::no_instrument_function]] void __cyg_profile_func_exit(void*, void*) {}
