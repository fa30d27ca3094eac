// Test helpers: a scratch directory, a umask guard, and the root check.
// (Code runs in a private mount namespace with mntns::run_in_private.)
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "base/no_copy.hpp"

namespace nsr::test {

// A fresh directory under /tmp, removed with everything in it when the
// guard goes away. path() has no symlink in it, so the secure walker
// accepts it even where /tmp is a symlink.
class Scratch : base::NoCopy {
  public:
    Scratch();
    ~Scratch();
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

  private:
    std::string path_;
};

class UmaskGuard : base::NoCopy {
  public:
    explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
    ~UmaskGuard() { ::umask(old_); }

  private:
    mode_t old_;
};

// Fails the current test with "needs root" unless running as root.
void require_root(const char* why);

}  // namespace nsr::test
