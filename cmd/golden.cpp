#include "cmd/golden.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "base/path.hpp"
#include "cmd/expected_block.hpp"
#include "cmd/plan_diff.hpp"
#include "cmd/scenario.hpp"

namespace nsr::cmd {

namespace {

// Writes TEXT over PATH atomically, keeping its mode.
void replace_file(const std::string& path, const std::string& text) {
    struct stat st {};
    base::check_sys(::stat(path.c_str(), &st), "cannot inspect " + path);
    const std::string dir = base::parent_dir(path);
    const base::Fd dirfd(base::check_sys(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                                         "cannot open " + dir));
    base::write_file_at(dirfd.get(), path.substr(path.rfind('/') + 1), text, st.st_mode & 07777,
                        path);
}

// Runs ONE for each of FILES; an error is printed and the worst exit code
// kept, and the next file is still done.
ExitCode for_each_file(const std::vector<std::string>& files,
                       const std::function<ExitCode(const std::string&)>& one) {
    ExitCode worst = kExitOk;
    for (const auto& path : files) {
        ExitCode code;
        try {
            code = one(path);
        } catch (const std::exception& e) {
            std::cerr << "nsreconcile: " << e.what() << "\n";
            code = exit_code_for(e);
        }
        // kExitBadInput outranks kExitFailed: a file that could not be
        // checked says less than one that differs.
        if (code == kExitBadInput || (code == kExitFailed && worst == kExitOk))
            worst = code;
    }
    return worst;
}

}  // namespace

std::string scenario_mismatch(const std::string& path) {
    const Scenario s = load_scenario(path);
    if (!s.expected) {
        return "has no expected: block; write the plan worked out from the rules, or run "
               "nsreconcile plan --update --scenario " +
               path;
    }
    try {
        return plan_diff(*s.expected, plan_scenario(s, s.tuck));
    } catch (const base::InputError& e) {
        throw base::InputError(path, 0, e.what());
    }
}

bool update_scenario(const std::string& path) {
    const Scenario s = load_scenario(path);
    const std::string text = base::read_file(path, kMaxScenarioBytes);
    const std::string updated =
        replace_expected_block(text, expected_block(plan_scenario(s, s.tuck), s.table.has_value()));
    if (updated == text)
        return false;
    replace_file(path, updated);
    const std::string left = scenario_mismatch(path);
    if (!left.empty())
        throw std::runtime_error(path +
                                 ": the rewritten expected: block does not pin the plan: " + left);
    return true;
}

ExitCode check_scenarios(const std::vector<std::string>& files, std::ostream& out) {
    return for_each_file(files, [&](const std::string& path) {
        const std::string problem = scenario_mismatch(path);
        if (problem.empty()) {
            out << path << ": ok\n";
            return kExitOk;
        }
        out << path << ": " << problem << (problem.back() == '\n' ? "" : "\n");
        return kExitFailed;
    });
}

ExitCode update_scenarios(const std::vector<std::string>& files, std::ostream& out) {
    return for_each_file(files, [&](const std::string& path) {
        out << path << (update_scenario(path) ? ": updated\n" : ": up to date\n");
        return kExitOk;
    });
}

}  // namespace nsr::cmd
