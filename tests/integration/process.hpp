// Running a command inside a chosen mount namespace and collecting what it
// printed. A time limit turns a hung command into a failed test instead of
// a hung test run.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace nsr::integration {

struct Output {
    // The exit code; 128 + N when killed by signal N.
    int status = -1;
    std::string out;
    std::string err;
    // The time limit ran out and the command was killed.
    bool timed_out = false;
};

// A command running in the background.
class Process {
  public:
    // Starts ARGV (argv[0] looked up in PATH) after entering the mount
    // namespace NS_FILE (stays in the caller's namespace when empty).
    // Throws std::system_error when it cannot be started.
    Process(const std::vector<std::string>& argv, const std::string& ns_file);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Waits for the command, killing it after TIMEOUT_SEC seconds.
    Output wait(double timeout_sec = 30);

  private:
    pid_t pid_ = -1;
    int out_ = -1;
    int err_ = -1;
};

Output run(const std::vector<std::string>& argv, const std::string& ns_file = "",
           double timeout_sec = 30);

}  // namespace nsr::integration
