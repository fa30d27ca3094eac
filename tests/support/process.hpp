// Running a program as a user would and collecting what it printed: ARGV
// (argv[0] looked up in PATH), with optional input, extra environment and
// mount namespace, under a time limit that turns a hung command into a
// failed test instead of a hung test run.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace nsr::test {

struct Output {
    // The exit code; 128 + N when killed by signal N.
    int status = -1;
    std::string out;  // stdout, and stderr too when merged
    std::string err;
    // The time limit ran out and the command was killed.
    bool timed_out = false;
};

struct RunOptions {
    // Every member has an initializer, so that designated initializers may
    // name only the ones that matter.
    std::string input{};             // its stdin (empty: at end of file)
    std::vector<std::string> env{};  // "KEY=VALUE", added to its environment
    std::string ns_file{};           // a mount namespace to enter first ("": stay)
    bool merge_err = false;          // stderr into out, interleaved as written
    int stdout_fd = -1;              // where stdout goes instead of out (-1: out)
    double timeout_sec = 60;
};

// For a command whose messages are checked as a user sees them: stderr
// interleaved with stdout.
inline const RunOptions kMerged{.merge_err = true};

// A command running in the background. It never outlives the process that
// started it.
class Process {
  public:
    // Throws std::system_error when it cannot be started; a command that
    // cannot enter the namespace or be executed exits 127 saying why.
    Process(const std::vector<std::string>& argv, const RunOptions& options = {});
    // Kills the command if it is still running.
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }

    // Waits for the command, killing it when the time limit runs out.
    Output wait();

  private:
    pid_t pid_ = -1;
    int out_ = -1;
    int err_ = -1;
    double timeout_sec_;
};

Output run(const std::vector<std::string>& argv, const RunOptions& options = {});
// SCRIPT run by /bin/sh -c.
Output run_shell(const std::string& script, const RunOptions& options = {});
// The nsreconcile binary under test (NSR_BINARY) with ARGS.
Output run_binary(const std::vector<std::string>& args, const RunOptions& options = {});

}  // namespace nsr::test
