#include "reconcile/kernel.hpp"

#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "base/fd.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using nsr::base::Fd;
using nsr::test::Scratch;

TEST_CASE("LinuxKernel::readlinkat reads targets longer than its first buffer") {
    Scratch s;
    const std::string target(3000, 'x');
    std::filesystem::create_symlink(target, s / "long");
    LinuxKernel k;
    std::string got;
    CHECK(k.readlinkat(AT_FDCWD, (s / "long").c_str(), got) == 0);
    CHECK(got == target);
    CHECK(k.readlinkat(AT_FDCWD, (s / "missing").c_str(), got) == -ENOENT);
}

TEST_CASE("LinuxKernel::mount_id tells two mounts apart") {
    LinuxKernel k;
    Fd root(k.openat(AT_FDCWD, "/", O_PATH | O_CLOEXEC));
    Fd proc(k.openat(AT_FDCWD, "/proc", O_PATH | O_CLOEXEC));
    REQUIRE(root);
    REQUIRE(proc);
    long a = 0, b = 0;
    CHECK(k.mount_id(root.get(), a) == 0);
    CHECK(k.mount_id(proc.get(), b) == 0);
    CHECK(a > 0);
    CHECK(a != b);
}

TEST_CASE("LinuxKernel returns -errno instead of -1") {
    LinuxKernel k;
    CHECK(k.mkdirat(AT_FDCWD, "/proc/self", 0755) == -EEXIST);
    CHECK(k.umount2("/nonexistent-nsr-path", 0) == -ENOENT);
}
