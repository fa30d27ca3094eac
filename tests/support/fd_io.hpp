// Moving whole strings through file descriptors, for the pipes between a
// test and the children it forks.
#pragma once

#include <string>

namespace nsr::test {

// Writes all of TEXT to FD; stops silently when FD refuses more, since the
// reader then sees the text cut short.
void write_all(int fd, const std::string& text);
// Reads FD to end of file.
std::string read_all(int fd);

}  // namespace nsr::test
