#include "cmd/freeze.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>
#include <thread>

#include "base/error.hpp"

#include "base/fd.hpp"

namespace nsr::cmd {

namespace {

namespace fs = std::filesystem;

// What the signal handler writes to thaw the frozen cgroups. The list is
// built before it is published and cleared only after it is withdrawn, so
// the handler never sees it change.
std::vector<ThawWrite> g_thaw_list;
std::atomic<const ThawWrite*> g_thaw{nullptr};
std::atomic<size_t> g_thaw_count{0};

// Control files take their value from offset 0; lseek and write are both
// async-signal-safe.
bool write_at_start(int fd, const char* text, size_t len) {
    if (::lseek(fd, 0, SEEK_SET) < 0)
        return false;
    ssize_t n;
    do {
        n = ::write(fd, text, len);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(len);
}

extern "C" void thaw_on_signal(int sig) {
    const int saved_errno = errno;
    const ThawWrite* list = g_thaw.load();
    const size_t n = g_thaw_count.load();
    for (size_t i = 0; list && i < n; ++i)
        write_at_start(list[i].fd, list[i].text, list[i].len);
    errno = saved_errno;
    // SA_RESETHAND restored the default action: once this handler returns,
    // the signal ends the process with the conventional status.
    ::raise(sig);
}

const char* freeze_text(bool v2) {
    return v2 ? "1" : "FROZEN";
}

const char* thaw_text(bool v2) {
    return v2 ? "0" : "THAWED";
}

// Freezing a cgroup that holds this process would stop it before it could
// thaw anything, so the whole subtree is searched for it.
bool holds_process(const std::string& root, pid_t pid) {
    auto lists_pid = [pid](const fs::path& dir) {
        std::ifstream in(dir / "cgroup.procs");
        pid_t p;
        while (in >> p) {
            if (p == pid)
                return true;
        }
        return false;
    };
    if (lists_pid(root))
        return true;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_directory(ec) && lists_pid(it->path()))
            return true;
    }
    if (ec)
        throw std::system_error(ec, "cannot list the cgroups under " + root);
    return false;
}

int open_at(int dir, const std::string& path, const char* name, int flags) {
    int fd = ::openat(dir, name, flags | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) {
        base::throw_errno(-errno, "cannot open " + path + "/" + name);
    }
    return fd;
}

}  // namespace

Freezer::Freezer(const std::vector<std::string>& paths, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
    for (const auto& path : paths) {
        int d = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (d < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                throw base::InputError("cannot freeze " + path + ": " + std::strerror(errno));
            base::throw_errno(-errno, "cannot open " + path);
        }
        base::Fd dir(d);
        Group g;
        g.path = path;
        if (int c = open_at(dir.get(), path, "cgroup.freeze", O_WRONLY); c >= 0) {
            g.control = base::Fd(c);
            g.state = base::Fd(open_at(dir.get(), path, "cgroup.events", O_RDONLY));
        } else if (c = open_at(dir.get(), path, "freezer.state", O_WRONLY); c >= 0) {
            g.v2 = false;
            g.control = base::Fd(c);
            g.state = base::Fd(open_at(dir.get(), path, "freezer.state", O_RDONLY));
        } else {
            throw base::InputError(
                "cannot freeze " + path +
                ": not a freezable cgroup (it has neither cgroup.freeze, cgroup v2, "
                "nor freezer.state, cgroup v1)");
        }
        if (g.state.get() < 0)
            throw base::InputError("cannot freeze " + path + ": it has no " +
                                   (g.v2 ? "cgroup.events" : "freezer.state"));
        if (holds_process(path, ::getpid())) {
            throw base::InputError("cannot freeze " + path + ": it holds nsreconcile itself (pid " +
                                   std::to_string(::getpid()) + ")");
        }
        groups_.push_back(std::move(g));
    }
}

Freezer::~Freezer() {
    if (!frozen_)
        return;
    try {
        thaw();
    } catch (const std::exception& e) {
        std::cerr << "nsreconcile: " << e.what() << "\n";
    }
}

bool Freezer::is_frozen(const Group& g) const {
    char buf[256];
    ssize_t n;
    do {
        n = ::pread(g.state.get(), buf, sizeof buf - 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        base::throw_errno(-errno, "cannot read the freezer state of " + g.path);
    }
    const std::string text(buf, static_cast<size_t>(n));
    if (!g.v2)
        return text.rfind("FROZEN", 0) == 0;
    // cgroup.events: "populated N\nfrozen N\n"
    return text.rfind("frozen 1", 0) == 0 || text.find("\nfrozen 1") != std::string::npos;
}

void Freezer::freeze() {
    if (frozen_)
        return;
    if (g_thaw.load())
        throw std::logic_error("only one Freezer can be frozen at a time");
    g_thaw_list.clear();
    for (const auto& g : groups_) {
        g_thaw_list.push_back({g.control.get(), thaw_text(g.v2), std::strlen(thaw_text(g.v2))});
    }
    g_thaw_count.store(g_thaw_list.size());
    g_thaw.store(g_thaw_list.data());
    frozen_ = true;
    try {
        install_signal_handlers();
        // Before anything is frozen: a SIGKILL from here on cannot leave
        // the cgroups frozen.
        guard_.emplace(g_thaw_list);
        for (const auto& g : groups_) {
            if (!write_at_start(g.control.get(), freeze_text(g.v2),
                                std::strlen(freeze_text(g.v2)))) {
                base::throw_errno(-errno, "cannot freeze " + g.path);
            }
        }
        const auto deadline = std::chrono::steady_clock::now() + timeout_;
        auto pause = std::chrono::milliseconds(1);
        for (;;) {
            auto busy = std::find_if(groups_.begin(), groups_.end(),
                                     [this](const Group& g) { return !is_frozen(g); });
            if (busy == groups_.end())
                return;
            if (std::chrono::steady_clock::now() >= deadline) {
                throw std::runtime_error("cannot finish freezing the processes of " + busy->path +
                                         " within " + std::to_string(timeout_.count()) +
                                         " ms; thawed them again");
            }
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(50));
        }
    } catch (const std::exception&) {
        try {
            thaw();
        } catch (const std::exception& e) {
            std::cerr << "nsreconcile: " << e.what() << "\n";
        }
        throw;
    }
}

void Freezer::thaw() {
    if (!frozen_)
        return;
    std::string failure;
    int failure_errno = 0;
    for (const auto& g : groups_) {
        if (!write_at_start(g.control.get(), thaw_text(g.v2), std::strlen(thaw_text(g.v2))) &&
            failure.empty()) {
            failure_errno = errno;
            failure = "cannot thaw " + g.path;
        }
    }
    guard_.reset();
    restore_signal_handlers();
    g_thaw.store(nullptr);
    g_thaw_count.store(0);
    g_thaw_list.clear();
    frozen_ = false;
    if (!failure.empty())
        throw std::system_error(failure_errno, std::generic_category(), failure);
}

void Freezer::install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = thaw_on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : kSignals)
        sigaddset(&sa.sa_mask, sig);
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < kSignals.size(); ++i) {
        installed_[i] = false;
        if (::sigaction(kSignals[i], nullptr, &saved_[i]) != 0)
            base::throw_errno(-errno, "sigaction");
        // An ignored signal does not end the process: nothing to thaw for.
        if (!(saved_[i].sa_flags & SA_SIGINFO) && saved_[i].sa_handler == SIG_IGN)
            continue;
        if (::sigaction(kSignals[i], &sa, nullptr) != 0)
            base::throw_errno(-errno, "sigaction");
        installed_[i] = true;
    }
}

void Freezer::restore_signal_handlers() {
    for (size_t i = 0; i < kSignals.size(); ++i) {
        if (installed_[i])
            ::sigaction(kSignals[i], &saved_[i], nullptr);
        installed_[i] = false;
    }
}

}  // namespace nsr::cmd
