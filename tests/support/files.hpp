// Whole files as strings, for tests that set up and check file contents.
#pragma once

#include <string>

namespace nsr::test {

// Throws std::runtime_error naming PATH when it cannot be read or written.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace nsr::test
