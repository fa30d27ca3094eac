// Timing of an in-process piece of work, for the benchmarks that time one
// function many times (mountinfo_parse, plan_large): the median and the
// fastest of REPETITIONS runs, after one warm-up run.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

namespace nsr::bench {

struct Timing {
    double median_ms;
    double min_ms;
};

// Keeps the compiler from dropping the work whose result nobody reads.
inline volatile size_t sink;

// WORK's result is a size (of what it built) that goes to sink.
inline Timing measure(int repetitions, const std::function<size_t()>& work) {
    sink = work();  // warm-up: page cache, allocator
    std::vector<double> ms;
    for (int i = 0; i < repetitions; ++i) {
        const auto start = std::chrono::steady_clock::now();
        sink = work();
        const auto stop = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.front()};
}

}  // namespace nsr::bench
