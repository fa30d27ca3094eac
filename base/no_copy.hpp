// A base class for objects that own something (a process, a CPU pinning, a
// directory) and so must be neither copied nor moved (boost::noncopyable).
#pragma once

namespace nsr::base {

class NoCopy {
  public:
    NoCopy(const NoCopy&) = delete;
    NoCopy& operator=(const NoCopy&) = delete;

  protected:
    NoCopy() = default;
    ~NoCopy() = default;
};

}  // namespace nsr::base
