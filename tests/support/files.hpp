// Whole files as strings, for tests that set up and check file contents.
#pragma once

#include <string>

namespace nsr::test {

// base::read_file with a bound no test reaches; throws std::system_error.
std::string read_file(const std::string& path);
// Throws std::runtime_error naming PATH when it cannot be written.
void write_file(const std::string& path, const std::string& content);

}  // namespace nsr::test
