#include "tests/cmd/binary.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace nsr::cmd::test {

Run run_shell(const std::string& command) {
    const std::string merged = "(" + command + ") 2>&1";
    FILE* p = ::popen(merged.c_str(), "r");
    if (!p)
        throw std::runtime_error("cannot run " + command);
    std::string out;
    std::array<char, 4096> buf{};
    while (size_t n = std::fread(buf.data(), 1, buf.size(), p))
        out.append(buf.data(), n);
    int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

Run run_binary(const std::string& args) {
    return run_shell(std::string(NSR_BINARY) + " " + args);
}

}  // namespace nsr::cmd::test
