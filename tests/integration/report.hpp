// Reading what `nsreconcile apply --json` printed, and writing profiles.
#pragma once

#include <string>
#include <vector>

namespace nsr::integration {

struct ChangeReport {
    std::string action;
    std::string entry;
    std::string outcome;  // "done", "already done", "skipped", "failed"
    std::string detail;
    std::vector<std::string> synthesized;
};

// The changes of apply's JSON report, in order. Throws on anything else.
std::vector<ChangeReport> parse_report(const std::string& json_text);

// Profile text: each line followed by '\n'.
std::string fstab(const std::vector<std::string>& lines);

}  // namespace nsr::integration
