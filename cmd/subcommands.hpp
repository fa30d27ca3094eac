// The nsreconcile command line: one function per subcommand, each taking the
// arguments after its name and returning the process exit code.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nsr::cmd {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;    // some change failed / drift found
inline constexpr int kExitBadInput = 2;  // usage error, invalid profile or scenario
inline constexpr int kExitLocked = 3;    // lock not obtained in time

using Args = std::vector<std::string>;

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    int (*run)(const Args& args);
};

const std::vector<Subcommand>& subcommands();

// Entry point shared by main(): ARGV0 decides the personality
// ("snap-update-ns" behaves as snapd's tool).
int run_main(const std::string& argv0, const Args& args);

int run_lint(const Args& args);
int run_plan(const Args& args);
int run_apply(const Args& args);
int run_snap_update_ns(const Args& args);
int run_check(const Args& args);
int run_convert(const Args& args);
int run_ns(const Args& args);
int run_ns_create(const Args& args);
int run_ns_run(const Args& args);
int run_ns_discard(const Args& args);
int run_ns_list(const Args& args);
int run_features(const Args& args);

// Thrown for a malformed command line; run_main prints it with a hint and
// exits with kExitBadInput.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace nsr::cmd
