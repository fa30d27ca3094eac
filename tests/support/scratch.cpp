#include "tests/support/scratch.hpp"

#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace nsr::test {

Scratch::Scratch() {
    char tmpl[] = "/tmp/nsr-scratch-XXXXXX";
    if (!::mkdtemp(tmpl))
        throw std::runtime_error("cannot create scratch directory");
    path_ = std::filesystem::canonical(tmpl).string();
}

Scratch::~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void require_root(const char* why) {
    REQUIRE_MESSAGE(::geteuid() == 0, "needs root: ", why);
}

}  // namespace nsr::test
