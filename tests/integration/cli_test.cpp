// What apply does around the reconcile itself: --dry-run, the lock and its
// timeout, and a namespace that does not exist.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

std::string content_entry(const Sandbox& sb) {
    return sb.path("snap/provider/2/lib") + " " + sb.path("var/snap/foo/common/lib") +
           " none bind,ro 0 0";
}

// Lower-case hex, two digits a byte: how JSON output gives exact bytes.
std::string hex_of(const std::string& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : bytes) {
        hex += kDigits[c >> 4];
        hex += kDigits[c & 0xF];
    }
    return hex;
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

TEST_CASE("apply --json and check --json report a path that is not UTF-8, exactly") {
    Sandbox sb;
    // A Latin-1 "café": a valid Linux path, but not UTF-8.
    const std::string dir = sb.path("var/snap/foo/common/caf\xE9");
    const std::string entry = "tmpfs " + dir + " tmpfs mode=0755 0 0";
    sb.set_desired(fstab({entry}));
    const Output o = sb.apply({"--json"});
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    CHECK(o.status == 0);
    const auto report = nlohmann::json::parse(o.out);
    const auto& change = report.at("changes").at(0);
    CHECK(change.at("outcome") == "done");
    CHECK(change.at("entry").get<std::string>().find("caf\xEF\xBF\xBD ") != std::string::npos);
    CHECK(change.at("entry_hex") == hex_of(entry));
    // The work the report describes was done.
    CHECK(mounts_at(sb.app_mounts(), dir).size() == 1);
    CHECK(sb.current() == fstab({entry}));

    const std::vector<std::string> check = {NSR_BINARY,  "check",          "app",
                                            "--json",    "--ns-file",      sb.ns_file(),
                                            "--current", sb.current_file()};
    const Output in_step = sb.outer(check);
    INFO("check stdout: " << in_step.out << "\nstderr: " << in_step.err);
    CHECK(in_step.status == 0);
    CHECK(nlohmann::json::parse(in_step.out).at("in_step") == true);

    // The drift report names the directory exactly.
    REQUIRE(sb.app({"umount", dir}).status == 0);
    const Output drifted = sb.outer(check);
    INFO("check stdout: " << drifted.out << "\nstderr: " << drifted.err);
    CHECK(drifted.status == 1);
    const auto item = nlohmann::json::parse(drifted.out).at("drift").at(0);
    CHECK(item.at("kind") == "missing");
    CHECK(item.at("dir_hex") == hex_of(dir));
    CHECK(item.at("entry_hex") == hex_of(entry));
}

TEST_CASE("apply removes the temp files an interrupted save of the current profile left") {
    Sandbox sb;
    // What a run killed between writing the temp file and renaming it
    // leaves; the lock is not held, so no save is in progress.
    sb.write_file("state/current.fstab.AbCdEf012345~", "half a profile\n");
    sb.write_file("state/current.fstab.keep", "not a temp file\n");
    sb.set_desired(fstab({content_entry(sb)}));
    const Output o = sb.apply({"-v"});
    INFO("stdout: " << o.out << "\nstderr: " << o.err);
    CHECK(o.status == 0);
    CHECK(o.err.find("debug: removed the stale temporary file current.fstab.AbCdEf012345~\n") !=
          std::string::npos);
    CHECK_FALSE(sb.exists("state/current.fstab.AbCdEf012345~"));
    CHECK(sb.read_file("state/current.fstab.keep") == "not a temp file\n");
    CHECK(sb.current() == fstab({content_entry(sb)}));
}
