#include "mntns/cpu_pin.hpp"

#include <stdexcept>
#include <string>

#include "base/error.hpp"

namespace nsr::mntns {

CpuPin::CpuPin() {
    base::check_sys(::sched_getaffinity(0, sizeof saved_, &saved_), "cannot read the CPU affinity");
    const int current = ::sched_getcpu();
    if (current >= 0 && CPU_ISSET(current, &saved_))
        cpus_.push_back(current);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &saved_) && cpu != current)
            cpus_.push_back(cpu);
    }
    if (cpus_.empty())
        throw std::runtime_error("no CPU to run on");
}

CpuPin::~CpuPin() {
    restore();
}

int CpuPin::pin(int attempt) {
    const int cpu = cpus_.at(static_cast<size_t>(attempt) % cpus_.size());
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    base::check_sys(::sched_setaffinity(0, sizeof one, &one),
                    "cannot pin to CPU " + std::to_string(cpu));
    pinned_ = true;
    return cpu;
}

void CpuPin::restore() {
    // Failing here would leave the process pinned, which costs speed, not
    // correctness; the affinity it restores was valid a moment ago.
    if (pinned_)
        ::sched_setaffinity(0, sizeof saved_, &saved_);
    pinned_ = false;
}

}  // namespace nsr::mntns
