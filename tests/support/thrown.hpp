// The message of the error a call throws, for tests that check what a
// parser or loader says about bad input.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <initializer_list>
#include <string>

namespace nsr::test {

// The what() of the E that F throws, or NONE when F returns. Any other
// exception goes through, and fails the test case that called this.
template <typename E, typename F>
std::string thrown_message(F&& f, const std::string& none) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return none;
}

// A bad input and the message reading it must give.
struct BadInput {
    std::string text;
    std::string message;
};

// For each of CASES, ERROR_OF(text) is its message; a failure names the text.
inline void check_errors(const std::function<std::string(const std::string&)>& error_of,
                         std::initializer_list<BadInput> cases) {
    for (const BadInput& c : cases) {
        CAPTURE(c.text);
        CHECK(error_of(c.text) == c.message);
    }
}

}  // namespace nsr::test
