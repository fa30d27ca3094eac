// A throwaway world for the namespace tests: tmpfs over /run and /var/lib
// (so the native layout's default paths land on scratch), a tmpfs scratch
// dir with a provider and an application tree, and a way to run shell
// scripts (tests/support/process.hpp runs the binary). The test process is
// already in a private mount namespace.
#pragma once

#include <string>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

namespace nsr::test {

// Runs a /bin/sh script; a non-zero exit fails the current test.
std::string sh(const std::string& script);

// The command C ran exited with STATUS and printed OUT; its stderr goes
// into the failure message.
void check_output(const Output& c, int status, const std::string& out);

// The scratch directory is a tmpfs: prov/1/lib and prov/2/lib (files "f"
// saying "1" and "2"), app/data and app/cache as empty mount points.
class World : public Scratch {
  public:
    World();
    ~World();

    const std::string& scratch() const { return path(); }

    // The native layout's desired profile for NAME.
    void desire(const std::string& name, const std::string& fstab) const;
    // Mount points (mountinfo field 5) inside namespace NAME.
    std::vector<std::string> mounts_in(const std::string& name) const;
};

}  // namespace nsr::test
