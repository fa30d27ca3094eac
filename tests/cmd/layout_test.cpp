// snapd's instance-name rule, checked against the regular expressions
// snapd writes it with, on every short name over a small alphabet.
#include "cmd/layout.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

using nsr::cmd::instance_name_problem;

namespace {

bool snapd_accepts(const std::string& name) {
    static const std::regex snap_re("^([a-z0-9]+-?)*[a-z](-?[a-z0-9])*$");
    static const std::regex key_re("^[a-z0-9]{1,10}$");
    const auto us = name.find('_');
    if (us != std::string::npos && name.find('_', us + 1) != std::string::npos)
        return false;
    const std::string snap = name.substr(0, us);
    if (snap.size() < 2 || snap.size() > 40 || !std::regex_match(snap, snap_re))
        return false;
    return us == std::string::npos || std::regex_match(name.substr(us + 1), key_re);
}

}  // namespace

TEST_CASE("instance names are accepted exactly as snapd's regular expressions accept them") {
    const std::string alphabet = "a1-_B.";
    std::vector<std::string> names = {""};
    for (int length = 0; length < 5; ++length) {
        const size_t n = names.size();
        for (size_t i = 0; i < n; ++i) {
            if (names[i].size() == static_cast<size_t>(length)) {
                for (char c : alphabet)
                    names.push_back(names[i] + c);
            }
        }
    }
    for (const std::string tail : {"", "_key", "_0123456789", "_01234567890", "-x"})
        names.push_back("snap-name" + tail);
    names.push_back(std::string(40, 'a'));
    names.push_back(std::string(41, 'a'));
    for (const auto& name : names) {
        INFO(name);
        CHECK(instance_name_problem(name).empty() == snapd_accepts(name));
    }
}
