// Running commands as a user would: the real nsreconcile binary (NSR_BINARY)
// and the shell tools the integration tests drive it with.
#pragma once

#include <string>

namespace nsr::cmd::test {

struct Run {
    int status;       // exit status, or -1 when the command did not exit normally
    std::string out;  // stdout and stderr, interleaved
};

// Runs COMMAND with sh -c, stderr merged into stdout.
Run run_shell(const std::string& command);

// Runs NSR_BINARY followed by ARGS (shell words).
Run run_binary(const std::string& args);

}  // namespace nsr::cmd::test
