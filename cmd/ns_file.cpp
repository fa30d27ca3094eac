#include "cmd/ns_file.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "base/path.hpp"
#include "cmd/make_dirs.hpp"
#include "mountinfo/mount_table.hpp"

namespace nsr::cmd {

using base::Fd;

namespace {

bool propagates(const mountinfo::Mount& m) {
    for (const auto& f : m.optional_fields) {
        if (f.rfind("shared:", 0) == 0)
            return true;
    }
    return false;
}

// DIR must be a mount of its own that does not share mount events, or a
// nsfs bind made in it would propagate into the namespace it names.
void make_private_mount(const std::string& dir) {
    auto table = mountinfo::MountTable::from_self();
    const mountinfo::Mount* top = table.top_at(dir);
    if (!top) {
        if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0)
            base::throw_errno(-errno, "cannot bind " + dir + " onto itself");
    } else if (!propagates(*top)) {
        return;
    }
    if (::mount(nullptr, dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
        base::throw_errno(-errno, "cannot make " + dir + " private");
}

// Pins the caller to one CPU at a time and restores its affinity at the
// end. Namespace ids come from per-CPU batches: a namespace made on a CPU
// whose batch is older than the caller's namespace gets a smaller id, and
// the kernel's loop check then refuses the bind with EINVAL however often it
// is retried there. Another CPU's batch may be newer, so retries move on.
class CpuPin {
  public:
    CpuPin() {
        if (::sched_getaffinity(0, sizeof saved_, &saved_) != 0)
            base::throw_errno(-errno, "cannot read the CPU affinity");
        const int current = ::sched_getcpu();
        if (current >= 0 && CPU_ISSET(current, &saved_))
            cpus_.push_back(current);
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
            if (CPU_ISSET(cpu, &saved_) && cpu != current)
                cpus_.push_back(cpu);
        }
        if (cpus_.empty())
            throw std::runtime_error("no CPU to run on");
    }
    ~CpuPin() { ::sched_setaffinity(0, sizeof saved_, &saved_); }
    CpuPin(const CpuPin&) = delete;
    CpuPin& operator=(const CpuPin&) = delete;

    // Pins to the CPU for ATTEMPT (the current one first, then the others in
    // turn) and returns it.
    int pin(int attempt) {
        const int cpu = cpus_[static_cast<size_t>(attempt) % cpus_.size()];
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (::sched_setaffinity(0, sizeof one, &one) != 0)
            base::throw_errno(-errno, "cannot pin to CPU " + std::to_string(cpu));
        return cpu;
    }

  private:
    cpu_set_t saved_;
    std::vector<int> cpus_;
};

// A child that unshares a mount namespace and waits until told to go.
class NamespaceHolder {
  public:
    explicit NamespaceHolder(Propagation propagation) {
        int ready[2], go[2];
        if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(go, O_CLOEXEC) != 0)
            base::throw_errno(-errno, "cannot make a pipe");
        pid_ = ::fork();
        if (pid_ < 0)
            base::throw_errno(-errno, "cannot fork");
        if (pid_ == 0) {
            ::close(ready[0]);
            ::close(go[1]);
            int err = 0;
            const unsigned long prop =
                MS_REC | (propagation == Propagation::Slave ? MS_SLAVE : MS_PRIVATE);
            if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, prop, nullptr) != 0)
                err = errno;
            (void)!::write(ready[1], &err, sizeof err);
            char c;
            (void)!::read(go[0], &c, 1);
            ::_exit(0);
        }
        ::close(ready[1]);
        ::close(go[0]);
        go_ = Fd(go[1]);
        int err = 0;
        ssize_t n = ::read(ready[0], &err, sizeof err);
        ::close(ready[0]);
        if (n != sizeof err)
            err = ECHILD;
        if (err != 0) {
            release();
            errno = err;
            base::throw_errno(-errno, "cannot make a new mount namespace");
        }
    }
    ~NamespaceHolder() { release(); }
    NamespaceHolder(const NamespaceHolder&) = delete;
    NamespaceHolder& operator=(const NamespaceHolder&) = delete;

    std::string ns_path() const { return "/proc/" + std::to_string(pid_) + "/ns/mnt"; }

  private:
    void release() {
        if (pid_ <= 0)
            return;
        go_ = Fd();
        int status;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }
    pid_t pid_ = -1;
    Fd go_;
};

}  // namespace

Propagation propagation_from_name(const std::string& name) {
    if (name == "slave")
        return Propagation::Slave;
    if (name == "private")
        return Propagation::Private;
    throw std::invalid_argument("unknown propagation '" + name + "' (slave or private)");
}

bool namespace_alive(const std::string& path) {
    struct statfs st;
    return ::statfs(path.c_str(), &st) == 0 && st.f_type == NSFS_MAGIC;
}

void create_namespace(const std::string& path, Propagation propagation,
                      const std::function<void(const std::string&)>& debug) {
    const std::string dir = base::parent_dir(path);
    make_dirs(dir, 0755);
    make_private_mount(dir);
    {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0000);
        if (fd < 0)
            base::throw_errno(-errno, "cannot create " + path);
        ::close(fd);
    }
    constexpr int kAttempts = 64;
    CpuPin pin;
    for (int attempt = 1;; ++attempt) {
        const int cpu = pin.pin(attempt - 1);
        NamespaceHolder holder(propagation);
        if (::mount(holder.ns_path().c_str(), path.c_str(), nullptr, MS_BIND, nullptr) == 0)
            return;
        if (errno != EINVAL || attempt == kAttempts) {
            int err = errno;
            ::unlink(path.c_str());
            errno = err;
            base::throw_errno(-errno, "cannot bind the new mount namespace to " + path);
        }
        if (debug) {
            debug("binding the namespace to " + path + " on CPU " + std::to_string(cpu) +
                  " failed with EINVAL (attempt " + std::to_string(attempt) +
                  "), retrying with a fresh namespace");
        }
    }
}

bool discard_namespace_file(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return false;
        base::throw_errno(-errno, "cannot inspect " + path);
    }
    if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL)
        base::throw_errno(-errno, "cannot unmount " + path);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        base::throw_errno(-errno, "cannot remove " + path);
    return true;
}

std::optional<long> container_pid(const std::string& ns_file) {
    constexpr std::string_view prefix = "/proc/", suffix = "/ns/mnt";
    if (!ns_file.starts_with(prefix) || !ns_file.ends_with(suffix) ||
        ns_file.size() <= prefix.size() + suffix.size())
        return std::nullopt;
    const std::string digits =
        ns_file.substr(prefix.size(), ns_file.size() - prefix.size() - suffix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stol(digits);
}

void enter_namespace(const std::string& ns_file) {
    // /proc/PID/ns/mnt is a link to the namespace itself; any other file is
    // opened without following a symlink planted in its place.
    const int nofollow = container_pid(ns_file) ? 0 : O_NOFOLLOW;
    int fd = ::open(ns_file.c_str(), O_RDONLY | O_CLOEXEC | nofollow);
    if (fd < 0)
        base::throw_errno(-errno, "cannot open " + ns_file);
    Fd owned(fd);
    if (::setns(owned.get(), CLONE_NEWNS) != 0)
        base::throw_errno(-errno, "cannot enter the mount namespace " + ns_file);
}

std::string in_namespace(const std::string& ns_file, const std::function<std::string()>& fn) {
    return in_child("the child that entered " + ns_file, [&] {
        enter_namespace(ns_file);
        return fn();
    });
}

std::string in_child(const std::string& what, const std::function<std::string()>& fn) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
        base::throw_errno(-errno, "cannot make a pipe");
    pid_t pid = ::fork();
    if (pid < 0)
        base::throw_errno(-errno, "cannot fork");
    if (pid == 0) {
        ::close(out[0]);
        std::string text;
        int code = 0;
        try {
            text = fn();
        } catch (const std::exception& e) {
            text = e.what();
            code = 1;
        }
        for (size_t off = 0; off < text.size();) {
            ssize_t n = ::write(out[1], text.data() + off, text.size() - off);
            if (n <= 0)
                ::_exit(2);
            off += static_cast<size_t>(n);
        }
        ::_exit(code);
    }
    ::close(out[1]);
    Fd reader(out[0]);
    // Read before waiting, so a child with much to say never blocks on a
    // full pipe. The bound keeps a runaway child from exhausting memory.
    constexpr size_t kMaxChildOutput = 64 << 20;
    std::string text;
    std::exception_ptr read_error;
    try {
        text = base::read_fd(reader.get(), kMaxChildOutput, "the output of " + what);
    } catch (const std::system_error&) {
        read_error = std::current_exception();
    }
    reader.reset();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            base::throw_errno(-errno, "cannot wait for " + what);
    }
    if (read_error)
        std::rethrow_exception(read_error);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return text;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
        throw std::runtime_error(text);
    throw std::runtime_error(what + " died (status " + std::to_string(status) + ")");
}

}  // namespace nsr::cmd
