// apply --pid and plan --pid on the command line: one way to name the
// namespace.
#include <doctest/doctest.h>

#include "tests/support/process.hpp"

using nsr::test::run_binary;

TEST_CASE("apply and plan: --pid names a process's namespace, once") {
    auto r = run_binary({"apply", "ctr", "--pid", "1", "--ns-file", "/x"});
    CHECK(r.status == 2);
    CHECK(r.err ==
          "nsreconcile: --pid and --ns-file name the namespace twice; give one (see "
          "'nsreconcile --help')\n");
    r = run_binary({"plan", "ctr", "--pid", "0"});
    CHECK(r.status == 2);
    CHECK(r.err == "nsreconcile: --pid needs a process id (see 'nsreconcile --help')\n");
}
