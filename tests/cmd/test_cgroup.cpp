#include "tests/cmd/test_cgroup.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/files.hpp"

namespace nsr::cmd::test {

using nsr::test::read_file;
using nsr::test::write_file;

std::string hierarchy_root(CgroupVersion version) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS
        std::istringstream ss(line);
        std::vector<std::string> f;
        for (std::string w; ss >> w;)
            f.push_back(w);
        size_t dash = 0;
        while (dash < f.size() && f[dash] != "-")
            ++dash;
        if (f.size() < 5 || dash + 3 >= f.size())
            continue;
        const std::string& type = f[dash + 1];
        const std::string super = "," + f[dash + 3] + ",";
        if (version == CgroupVersion::V2 && type == "cgroup2")
            return f[4];
        if (version == CgroupVersion::V1 && type == "cgroup" &&
            super.find(",freezer,") != std::string::npos)
            return f[4];
    }
    return "";
}

TestCgroup::TestCgroup(CgroupVersion version) : version_(version) {
    const std::string root = hierarchy_root(version);
    REQUIRE_MESSAGE(
        !root.empty(), "needs a mounted ",
        version == CgroupVersion::V2 ? "cgroup2 hierarchy" : "cgroup v1 freezer hierarchy");
    static std::atomic<int> counter{0};
    path_ = root + "/nsr-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    REQUIRE_MESSAGE(::mkdir(path_.c_str(), 0755) == 0, "cannot create ", path_, ": ",
                    std::strerror(errno));
    sleeper_ = ::fork();
    if (sleeper_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
            ::pause();
    }
    try {
        REQUIRE_MESSAGE(sleeper_ > 0, "cannot fork the sleeping process");
        adopt(sleeper_);
    } catch (...) {
        remove();
        throw;
    }
}

TestCgroup::~TestCgroup() {
    remove();
}

void TestCgroup::remove() noexcept {
    // A frozen v1 task cannot die, so thaw before killing.
    std::ofstream(path_ + (version_ == CgroupVersion::V2 ? "/cgroup.freeze" : "/freezer.state"))
        << (version_ == CgroupVersion::V2 ? "0" : "THAWED");
    if (sleeper_ > 0) {
        ::kill(sleeper_, SIGKILL);
        ::waitpid(sleeper_, nullptr, 0);
    }
    // The cgroup stays busy for a moment after its last task is reaped.
    for (int i = 0; ::rmdir(path_.c_str()) != 0; ++i) {
        if (errno != EBUSY || i == 200) {
            std::cerr << "cannot remove the test cgroup " << path_ << ": " << std::strerror(errno)
                      << "\n";
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

bool TestCgroup::frozen() const {
    if (version_ == CgroupVersion::V2)
        return read_file(path_ + "/cgroup.events").find("frozen 1") != std::string::npos;
    return read_file(path_ + "/freezer.state").rfind("FROZEN", 0) == 0;
}

void TestCgroup::adopt(pid_t pid) const {
    write_file(path_ + "/cgroup.procs", std::to_string(pid));
}

bool eventually(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace nsr::cmd::test
