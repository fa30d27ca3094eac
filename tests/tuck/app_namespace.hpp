// Application namespaces for the tuck tests: created the way snap-confine
// preserves one (a namespace file bound from /proc/PID/ns/mnt), entered the
// way nsreconcile enters it (setns).
#pragma once

#include <sched.h>

#include <functional>
#include <string>

namespace nsr::tuck::test {

// Pins the calling process to the CPU it runs on, and restores its CPU set
// on restore() or destruction. Binding a fresh namespace file fails with
// EINVAL now and then when the processes creating the namespaces migrate
// between CPUs (DESIGN.md, kernel facts): pin before the outer private
// namespace is made, restore once the namespace file is bound.
class CpuPin {
  public:
    CpuPin();
    ~CpuPin();
    CpuPin(const CpuPin&) = delete;
    CpuPin& operator=(const CpuPin&) = delete;
    void restore();

  private:
    cpu_set_t saved_{};
    bool pinned_ = false;
};

// Makes a new mount namespace (a copy of the caller's, made private), runs
// INSIDE in it, and binds it at NS_FILE (created if missing; its directory
// must be on a private mount). Retries on the kernel's spurious EINVAL;
// throws std::runtime_error naming NS_FILE otherwise.
void make_app_namespace(const std::string& ns_file, const std::function<void()>& inside = {});

// Runs BODY in a forked child that entered the namespace at NS_FILE, and
// returns what BODY returned. Throws std::runtime_error when the child
// cannot enter the namespace or BODY throws.
std::string run_in_namespace(const std::string& ns_file, const std::function<std::string()>& body);

}  // namespace nsr::tuck::test
