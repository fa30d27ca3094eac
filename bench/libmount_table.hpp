// The other way to read mountinfo: libmount's parser, converted to the same
// records so that the benchmark compares equal work.
#pragma once

#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"

namespace nsr::bench {

// Parses PATH with mnt_table_parse_file. Throws std::runtime_error naming
// the file and line libmount could not parse.
std::vector<mountinfo::Mount> libmount_parse_file(const std::string& path);

// Only mnt_table_parse_file, without copying anything out of libmount.
void libmount_parse_only(const std::string& path);

}  // namespace nsr::bench
