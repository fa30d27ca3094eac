#include "base/fd.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "base/error.hpp"

using nsr::base::Fd;

namespace {

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

}  // namespace

TEST_CASE("Fd closes what it owns and moves ownership") {
    const int raw = ::open("/", O_PATH | O_CLOEXEC);
    REQUIRE(raw >= 0);
    {
        Fd a(raw);
        CHECK(a.proc_path() == "/proc/self/fd/" + std::to_string(raw));
        Fd b(std::move(a));
        CHECK_FALSE(a);
        CHECK(b);
        CHECK(b.get() == raw);
    }
    CHECK_FALSE(is_open(raw));
}

TEST_CASE("Fd move assignment closes the old fd; release and reset hand ownership over") {
    Fd a(::open("/", O_PATH | O_CLOEXEC));
    Fd b(::open("/", O_PATH | O_CLOEXEC));
    REQUIRE(a);
    REQUIRE(b);
    const int old_a = a.get(), old_b = b.get();
    a = std::move(b);
    CHECK_FALSE(is_open(old_a));
    CHECK(a.get() == old_b);
    const int released = a.release();
    CHECK_FALSE(a);
    CHECK(is_open(released));
    a.reset(released);
    CHECK(a.get() == released);
    a.reset();
    CHECK_FALSE(a);
    CHECK_FALSE(is_open(released));
}

TEST_CASE("throw_errno, check_rc and check_sys throw std::system_error with the errno") {
    try {
        nsr::base::throw_errno(-ENOENT, "cannot open \"/x\"");
        FAIL("no throw");
    } catch (const std::system_error& e) {
        CHECK(e.code().value() == ENOENT);
        CHECK(std::string(e.what()) == "cannot open \"/x\": No such file or directory");
    }
    CHECK(nsr::base::check_rc(7, "unused") == 7);
    CHECK_THROWS_AS(nsr::base::check_rc(-EPERM, "step"), std::system_error);
    CHECK(nsr::base::check_sys(0, "unused") == 0);
    errno = EBUSY;
    try {
        nsr::base::check_sys(-1, "cannot unmount \"/y\"");
        FAIL("no throw");
    } catch (const std::system_error& e) {
        CHECK(e.code().value() == EBUSY);
    }
}
