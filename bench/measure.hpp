// Timing for the benchmarks: the median of a set of times, and for those
// that time one function many times (mountinfo_parse, plan_large) the
// median and the fastest of REPETITIONS runs, after one warm-up run.
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

// The median of V (the upper one of an even count).
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

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
    return {median(ms), *std::min_element(ms.begin(), ms.end())};
}

}  // namespace nsr::bench
