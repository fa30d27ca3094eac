#include "tests/tuck/reader_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>

namespace nsr::tuck::test {

namespace {

long now_ms() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

}  // namespace

Reader::Reader(const std::string& ns_file, const std::string& dir, const std::string& file,
               const std::vector<std::string>& accept) {
    std::vector<std::string> args{NSR_TUCK_READER, "--ns", ns_file, "--dir", dir, "--file", file};
    for (const auto& a : accept) {
        args.push_back("--accept");
        args.push_back(a);
    }
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        // Never outlive the test child, whatever happens to it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(p[1], STDOUT_FILENO);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(p[1]);
    out_ = p[0];
    take_lines(30000);
    if (last_ != "ready")
        throw std::runtime_error("the reader did not start (said \"" + last_ + "\")");
}

Reader::~Reader() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0)
        ::close(out_);
}

void Reader::take_lines(int timeout_ms) {
    struct pollfd pfd {
        out_, POLLIN, 0
    };
    while (::poll(&pfd, 1, timeout_ms) > 0) {
        char buf[4096];
        ssize_t n = ::read(out_, buf, sizeof buf);
        if (n <= 0) {
            pending_.clear();
            return;
        }
        pending_.append(buf, static_cast<size_t>(n));
        size_t nl;
        bool any = false;
        while ((nl = pending_.find('\n')) != std::string::npos) {
            const std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            if (line.starts_with("seen "))
                seen_ = line;
            else
                last_ = line;
            any = true;
        }
        if (any)
            return;
    }
}

void Reader::forget_seen() {
    take_lines(0);
    seen_.clear();
}

bool Reader::wait_until_seen(long entries, int accepted, int timeout_ms) {
    const std::string want = "seen " + std::to_string(entries) + " " + std::to_string(accepted);
    const long deadline = now_ms() + timeout_ms;
    take_lines(0);
    while (seen_ != want) {
        const long left = deadline - now_ms();
        if (left <= 0)
            return false;
        take_lines(static_cast<int>(left));
    }
    return true;
}

ReaderCounts Reader::stop() {
    ::kill(pid_, SIGTERM);
    while (last_.find("iterations=") != 0) {
        const std::string before = last_, seen_before = seen_;
        take_lines(30000);
        if (last_ == before && seen_ == seen_before)
            break;
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("the reader failed, status " + std::to_string(status));
    std::map<std::string, long> v;
    std::istringstream in(last_);
    std::string kv;
    while (in >> kv) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos)
            throw std::runtime_error("the reader said \"" + last_ + "\"");
        v[kv.substr(0, eq)] = std::stol(kv.substr(eq + 1));
    }
    for (const char* key : {"iterations", "enoent", "read_errno", "unexpected", "empty_listing",
                            "list_errno", "changes"}) {
        if (!v.count(key))
            throw std::runtime_error("the reader's counts lack " + std::string(key) + ": " + last_);
    }
    return {v["iterations"],    v["enoent"],     v["read_errno"], v["unexpected"],
            v["empty_listing"], v["list_errno"], v["changes"]};
}

}  // namespace nsr::tuck::test
