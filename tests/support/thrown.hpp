// The message of the error a call throws, for tests that check what a
// parser or loader says about bad input.
#pragma once

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

}  // namespace nsr::test
