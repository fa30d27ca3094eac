// The nsreconcile command line: one function per subcommand, NAME_cmd in
// NAME_cmd.cpp, each taking the arguments after its name and returning the
// process exit code. Errors are thrown; nsreconcile_main turns each into
// one line on stderr and an exit code (cmd/exit_code.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cmd/exit_code.hpp"

namespace nsr::cmd {

using Args = std::vector<std::string>;

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    int (*main)(const Args& args);
};

const std::vector<Subcommand>& subcommands();

// Entry point shared by main(): ARGV0 decides the personality
// ("snap-update-ns" behaves as snapd's tool).
int nsreconcile_main(const std::string& argv0, const Args& args);

int lint_cmd(const Args& args);
int plan_cmd(const Args& args);
int apply_cmd(const Args& args);
int check_cmd(const Args& args);
int convert_cmd(const Args& args);
int snap_update_ns_cmd(const Args& args);
int ns_cmd(const Args& args);
int ns_create_cmd(const Args& args);
int ns_run_cmd(const Args& args);
int ns_discard_cmd(const Args& args);
int ns_list_cmd(const Args& args);
int features_cmd(const Args& args);

}  // namespace nsr::cmd
