#include "cmd/plan_diff.hpp"

#include <algorithm>

#include "cmd/render.hpp"
#include "profile/fstab.hpp"

namespace nsr::cmd {

namespace {

// The entry as the plan prints it: parsing and printing again turns every
// accepted spelling (tabs, three fields, ...) into the one canonical line.
std::string canonical(const std::string& line) {
    const auto profile = profile::parse_profile(line, "expected entry");
    if (profile.entries.size() != 1)
        throw base::InputError("expected entry \"" + line + "\" is not one fstab line");
    return profile.entries.front().to_string();
}

std::string expected_line(const ExpectedChange& e) {
    std::string out = action_column(e.action) + e.entry;
    if (e.replaces)
        out += "  (replaces " + *e.replaces + ")";
    if (e.needed)
        out += *e.needed ? "  [needed]" : "  [not needed]";
    if (e.reason)
        out += "  [reason: " + *e.reason + "]";
    return out;
}

std::string actual_line(const reconcile::PlannedChange& p) {
    std::string out =
        action_column(reconcile::action_name(p.change.action)) + p.change.entry.to_string();
    if (p.change.replaces)
        out += "  (replaces " + p.change.replaces->to_string() + ")";
    out += p.needed ? "  [needed" : "  [not needed";
    out += ": " + p.reason + "]";
    return out;
}

std::string number(size_t i) {
    return "#" + std::to_string(i + 1);
}

}  // namespace

bool agrees(const ExpectedChange& e, const reconcile::PlannedChange& p) {
    if (e.action != reconcile::action_name(p.change.action))
        return false;
    if (canonical(e.entry) != p.change.entry.to_string())
        return false;
    if (e.replaces.has_value() != p.change.replaces.has_value())
        return false;
    if (e.replaces && canonical(*e.replaces) != p.change.replaces->to_string())
        return false;
    if (e.needed && *e.needed != p.needed)
        return false;
    return !e.reason || *e.reason == p.reason;
}

std::string plan_diff(const std::vector<ExpectedChange>& expected,
                      const std::vector<reconcile::PlannedChange>& actual) {
    const size_t n = expected.size(), m = actual.size();
    // same[i][j]: expected[i] agrees with actual[j]; lcs[i][j]: the longest
    // run of agreeing changes in expected[i..] and actual[j..].
    std::vector<std::vector<bool>> same(n, std::vector<bool>(m));
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < m; ++j)
            same[i][j] = agrees(expected[i], actual[j]);
    }
    size_t first = 0;
    while (first < std::min(n, m) && same[first][first])
        ++first;
    if (first == n && n == m)
        return "";

    std::vector<std::vector<size_t>> lcs(n + 1, std::vector<size_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;) {
        for (size_t j = m; j-- > 0;) {
            lcs[i][j] = same[i][j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }

    std::string out = "the plan differs from expected at change " + number(first) + " (" +
                      std::to_string(n) + " expected, " + std::to_string(m) + " planned)\n";
    out += "--- expected\n+++ planned\n";
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && same[i][j]) {
            out += "  " + number(j) + "  " + actual_line(actual[j]) + "\n";
            ++i, ++j;
        } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
            out += "- " + number(i) + "  " + expected_line(expected[i]) + "\n";
            ++i;
        } else {
            out += "+ " + number(j) + "  " + actual_line(actual[j]) + "\n";
            ++j;
        }
    }
    return out;
}

}  // namespace nsr::cmd
