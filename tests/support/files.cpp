#include "tests/support/files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "base/file.hpp"

namespace nsr::test {

std::string read_file(const std::string& path) {
    return base::read_file(path, 256 << 20);
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
    out << content;
    out.close();
    if (!out)
        throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
}

}  // namespace nsr::test
