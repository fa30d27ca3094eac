// The one child->parent result format, pinning, and what fails without
// root.
#include "mntns/child.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <system_error>

#include "mntns/cpu_pin.hpp"
#include "mntns/namespace.hpp"
#include "tests/support/scratch.hpp"

using nsr::mntns::Child;
using nsr::mntns::CpuPin;

TEST_CASE("a child's result is what its body returned, whatever the bytes") {
    const std::string bytes("a\0b\n+-", 6);
    Child child([&] { return bytes; });
    CHECK(child.result() == bytes);
    const int status = child.wait();
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    CHECK(Child([] { return std::string(); }).result().empty());
}

TEST_CASE("what the body throws is thrown by result(), with its message") {
    Child child([]() -> std::string { throw std::runtime_error("it went wrong"); });
    CHECK_THROWS_WITH_AS(child.result(), "it went wrong", std::runtime_error);
}

TEST_CASE("a child that dies before answering is reported with its status") {
    Child child(
        []() -> std::string {
            ::raise(SIGKILL);
            return "never";
        },
        Child::Hold::No, "the test child");
    CHECK_THROWS_WITH_AS(child.result(), "the test child died (status 9)", std::runtime_error);
}

TEST_CASE("a held child answers, then stays until it is released") {
    Child child([] { return std::string("ready"); }, Child::Hold::UntilReleased);
    CHECK(child.result() == "ready");
    // Still there: the parent may act on its namespace now.
    CHECK(::waitpid(child.pid(), nullptr, WNOHANG) == 0);
    const int status = child.wait();
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

TEST_CASE("send_result answers early; the body goes on until it is signalled") {
    Child child([]() -> std::string {
        Child::send_result("early");
        for (;;)
            ::pause();
    });
    CHECK(child.result() == "early");
    REQUIRE(::kill(child.pid(), SIGTERM) == 0);
    const int status = child.wait();
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM));
    // Outside a child nothing happens.
    Child::send_result("ignored");
}

TEST_CASE("CpuPin pins to the current CPU first, then each other one, and restores") {
    cpu_set_t before;
    REQUIRE(::sched_getaffinity(0, sizeof before, &before) == 0);
    {
        CpuPin pin;
        const int cpus = CPU_COUNT(&before);
        const int first = pin.pin(0);
        cpu_set_t now;
        REQUIRE(::sched_getaffinity(0, sizeof now, &now) == 0);
        CHECK(CPU_COUNT(&now) == 1);
        CHECK(CPU_ISSET(first, &now));
        CHECK(::sched_getcpu() == first);
        // Round and round: attempt CPUS is the first CPU again.
        CHECK(pin.pin(cpus) == first);
        if (cpus > 1)
            CHECK(pin.pin(1) != first);
    }
    cpu_set_t after;
    REQUIRE(::sched_getaffinity(0, sizeof after, &after) == 0);
    CHECK(CPU_EQUAL(&before, &after));
}

TEST_CASE("enter names the file it cannot enter; propagation names are checked") {
    nsr::test::Scratch s;
    CHECK_THROWS_WITH_AS(
        nsr::mntns::enter(s / "missing.mnt"),
        ("cannot open " + s / "missing.mnt" + ": No such file or directory").c_str(),
        std::system_error);
    CHECK_FALSE(nsr::mntns::is_bound(s.path()));
    CHECK(nsr::mntns::propagation_from_name("slave") == nsr::mntns::Propagation::Slave);
    CHECK(nsr::mntns::propagation_from_name("private") == nsr::mntns::Propagation::Private);
    CHECK_THROWS_AS(nsr::mntns::propagation_from_name("shared"), std::invalid_argument);
}
