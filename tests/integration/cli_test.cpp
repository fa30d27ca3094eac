// What apply does around the reconcile itself: --dry-run, the lock and its
// timeout, and a namespace that does not exist.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

std::string content_entry(const Sandbox& sb) {
    return sb.path("snap/provider/2/lib") + " " + sb.path("var/snap/foo/common/lib") +
           " none bind,ro 0 0";
}

}  // namespace

TEST_CASE("--dry-run prints the plan and changes nothing") {
    Sandbox sb;
    const auto before = sb.app_mountinfo();
    sb.set_desired(fstab({content_entry(sb)}));
    const Output o = sb.apply({"--dry-run"});
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    CHECK(o.status == 0);
    CHECK(o.out == "+ " + sb.path("snap/provider/2/lib") + " -> " +
                       sb.path("var/snap/foo/common/lib") +
                       " (bind, ro)\n"
                       "1 to mount, 0 unchanged\n");
    CHECK(sb.app_mountinfo() == before);
    CHECK_FALSE(sb.exists("var/snap/foo/common/lib"));
    CHECK_FALSE(sb.current());
}

TEST_CASE("apply gives up with exit 3 when another process holds the lock") {
    Sandbox sb;
    const auto before = sb.app_mountinfo();
    sb.set_desired(fstab({content_entry(sb)}));
    sb.write_file("state/lock/app.lock", "");
    const int fd = ::open(sb.outside("state/lock/app.lock").c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    const auto start = std::chrono::steady_clock::now();
    const Output o = sb.apply({"--lock-timeout", "0.3"});
    const auto waited = std::chrono::steady_clock::now() - start;
    ::close(fd);
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    CHECK(o.status == 3);
    CHECK(waited >= std::chrono::milliseconds(300));
    CHECK(o.err.find(sb.lock_file()) != std::string::npos);
    CHECK(sb.app_mountinfo() == before);
    CHECK_FALSE(sb.current());

    // Released, the same run goes through.
    CHECK(sb.apply({"--lock-timeout", "0.3"}).status == 0);
    CHECK(sb.current() == fstab({content_entry(sb)}));
}

TEST_CASE("a missing namespace file means nothing to do: exit 0 with a message") {
    Sandbox sb;
    const auto before = sb.app_mountinfo();
    sb.set_desired(fstab({content_entry(sb)}));
    const std::string missing = sb.path("ns/gone.mnt");
    const Output o = sb.apply({}, missing);
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    CHECK(o.status == 0);
    CHECK(o.out == "no mount namespace at " + missing + ": nothing to do\n");
    CHECK(sb.app_mountinfo() == before);
    CHECK_FALSE(sb.current());
}
