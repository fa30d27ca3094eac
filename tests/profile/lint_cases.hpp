// What lint (validate_profile) says about one profile line, for the tests
// of the options it checks.
#pragma once

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "profile/fstab.hpp"
#include "profile/validate.hpp"

namespace nsr::profile::test {

using Strings = std::vector<std::string>;

// The messages of the problems lint finds in a profile of the one LINE.
inline Strings problems(const std::string& line) {
    Strings out;
    for (const auto& p : validate_profile(parse_profile(line + "\n", "t")))
        out.push_back(p.message);
    return out;
}

// A profile line and the messages lint must give for it, in order.
struct LintCase {
    std::string line;
    Strings messages;
};

// For each of CASES, problems(line) is its messages; a failure names the line.
inline void check_problems(std::initializer_list<LintCase> cases) {
    for (const LintCase& c : cases) {
        CAPTURE(c.line);
        CHECK(problems(c.line) == c.messages);
    }
}

}  // namespace nsr::profile::test
