#include "tests/tuck/reader_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
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
    out_ = p[0];
    try {
        // Read line by line as the reader goes, so through a pipe.
        process_ =
            std::make_unique<nsr::test::Process>(args, nsr::test::RunOptions{.stdout_fd = p[1]});
    } catch (...) {
        ::close(p[1]);
        ::close(out_);
        throw;
    }
    ::close(p[1]);
    take_lines(30000);
    if (last_ != "ready") {
        ::close(out_);
        throw std::runtime_error("the reader did not start (said \"" + last_ + "\")");
    }
}

Reader::~Reader() {
    process_.reset();
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
    ::kill(process_->pid(), SIGTERM);
    while (last_.find("iterations=") != 0) {
        const std::string before = last_, seen_before = seen_;
        take_lines(30000);
        if (last_ == before && seen_ == seen_before)
            break;
    }
    const nsr::test::Output o = process_->wait();
    if (o.status != 0)
        throw std::runtime_error("the reader failed, status " + std::to_string(o.status) + ": " +
                                 o.err);
    return ReaderCounts::parse(last_);
}

}  // namespace nsr::tuck::test
