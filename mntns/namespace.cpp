#include "mntns/namespace.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/names.hpp"
#include "mntns/child.hpp"
#include "mntns/cpu_pin.hpp"

namespace nsr::mntns {

Propagation propagation_from_name(const std::string& name) {
    static constexpr base::Named<Propagation> kNames[] = {{Propagation::Slave, "slave"},
                                                          {Propagation::Private, "private"}};
    return base::parse_name(kNames, name, "propagation");
}

void unshare_mounts(Propagation propagation) {
    base::check_sys(::unshare(CLONE_NEWNS), "cannot make a new mount namespace");
    const unsigned long flags =
        MS_REC | (propagation == Propagation::Slave ? MS_SLAVE : MS_PRIVATE);
    base::check_sys(::mount(nullptr, "/", nullptr, flags, nullptr),
                    "cannot change the propagation of the new mount namespace");
}

void enter(const std::string& ns_file) {
    // A symlink is refused, so a namespace file swapped for one cannot lead
    // elsewhere; /proc/PID/ns/mnt is the kernel's own link, made to be
    // followed.
    const int nofollow = process_of(ns_file) ? 0 : O_NOFOLLOW;
    const base::Fd fd(::open(ns_file.c_str(), O_RDONLY | O_CLOEXEC | nofollow));
    if (!fd)
        base::throw_errno(-errno, "cannot open " + ns_file);
    base::check_sys(::setns(fd.get(), CLONE_NEWNS), "cannot enter the mount namespace " + ns_file);
}

std::optional<pid_t> process_of(const std::string& ns_file) {
    constexpr std::string_view prefix = "/proc/", suffix = "/ns/mnt";
    if (ns_file.size() <= prefix.size() + suffix.size() || !ns_file.starts_with(prefix) ||
        !ns_file.ends_with(suffix)) {
        return std::nullopt;
    }
    const std::string digits =
        ns_file.substr(prefix.size(), ns_file.size() - prefix.size() - suffix.size());
    // A pid has at most 7 digits (PID_MAX_LIMIT is 2^22).
    if (digits.size() > 7 || digits.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return static_cast<pid_t>(std::stol(digits));
}

bool is_bound(const std::string& ns_file) {
    struct statfs st {};
    return ::statfs(ns_file.c_str(), &st) == 0 && st.f_type == NSFS_MAGIC;
}

void bind_new(const std::string& file, Propagation propagation, const std::function<void()>& inside,
              const std::function<void(const std::string&)>& debug) {
    constexpr int kAttempts = 64;
    // The namespace is bound onto a file, which must exist.
    const base::Fd created(
        base::check_sys(::open(file.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600),
                        "cannot create " + file));
    CpuPin pin;
    for (int attempt = 1;; ++attempt) {
        const int cpu = pin.pin(attempt - 1);
        Child holder(
            [&] {
                unshare_mounts(propagation);
                if (inside)
                    inside();
                return std::string();
            },
            Child::Hold::UntilReleased, "the child making a mount namespace");
        holder.result();
        const std::string ns = "/proc/" + std::to_string(holder.pid()) + "/ns/mnt";
        if (::mount(ns.c_str(), file.c_str(), nullptr, MS_BIND, nullptr) == 0)
            return;
        if (errno != EINVAL || attempt == kAttempts)
            base::throw_errno(-errno, "cannot bind the new mount namespace to " + file);
        if (debug) {
            debug("binding the namespace to " + file + " on CPU " + std::to_string(cpu) +
                  " failed with EINVAL (attempt " + std::to_string(attempt) +
                  "), retrying with a fresh namespace");
        }
    }
}

std::string run_in(const std::string& ns_file, const std::function<std::string()>& body) {
    Child child(
        [&] {
            enter(ns_file);
            return body();
        },
        Child::Hold::No, "the child that entered " + ns_file);
    return child.result();
}

std::string run_in_private(const std::function<std::string()>& body) {
    Child child(
        [&] {
            unshare_mounts(Propagation::Private);
            return body();
        },
        Child::Hold::No, "the child in a private mount namespace");
    return child.result();
}

}  // namespace nsr::mntns
