#include "tests/support/files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace nsr::test {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
    return std::string(std::istreambuf_iterator<char>(in), {});
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
