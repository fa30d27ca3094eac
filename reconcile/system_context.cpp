#include "reconcile/system_context.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <system_error>

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/path.hpp"
#include "mntns/namespace.hpp"
#include "profile/fstab.hpp"
#include "profile/stale_temps.hpp"
#include "profile/validate.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/lock.hpp"

namespace nsr::reconcile {

namespace {

// WHAT ("desired", "current") names the profile in messages.
profile::MountProfile load_checked(const std::string& path, ProfileChecks checks,
                                   const char* what) {
    profile::MountProfile p;
    try {
        p = profile::load_profile(path);
    } catch (const base::InputError& e) {
        throw base::InputError(std::string("cannot load ") + what + " profile: " + e.what());
    }
    if (checks == ProfileChecks::Lint) {
        const auto problems = profile::validate_profile(p);
        if (!problems.empty())
            throw base::InputError(path, problems.front().line, problems.front().message);
    }
    return p;
}

}  // namespace

SystemContext::SystemContext(NamespacePaths paths, WritablePlaces places, double lock_timeout,
                             ProfileChecks checks)
    : paths_(std::move(paths)),
      places_(std::move(places)),
      lock_timeout_(lock_timeout),
      checks_(checks) {}

base::Fd SystemContext::lock() {
    return take_lock(paths_.lock, lock_timeout_);
}

profile::MountProfile SystemContext::load_desired() {
    return load_checked(paths_.desired, checks_, "desired");
}

profile::MountProfile SystemContext::load_current() {
    struct stat st {};
    current_lost_ = ::lstat(paths_.current.c_str(), &st) != 0 && errno == ENOENT;
    return load_checked(paths_.current, ProfileChecks::Parse, "current");
}

void SystemContext::prepare_save(const std::function<void(const std::string&)>& debug) {
    const std::string dir = base::parent_dir(paths_.current);
    state_dir_ = base::Fd(base::check_sys(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                                          "cannot open the state directory " + dir));
    // A run killed between writing the new current profile and renaming it
    // over the old one leaves the temp file; under the lock, no write is in
    // progress.
    const std::string& path = paths_.current;
    for (const auto& stale :
         profile::remove_stale_temps_at(state_dir_.get(), path.substr(path.rfind('/') + 1), dir)) {
        if (debug)
            debug("removed the stale temporary file " + stale);
    }
}

JournalFile* SystemContext::journal_file() {
    if (!journal_) {
        // A plan opens the state directory only to read the journal.
        journal_ = state_dir_ ? std::make_unique<StateJournalFile>(state_dir_.get(), paths_.current)
                              : StateJournalFile::open_beside(paths_.current);
    }
    return journal_.get();
}

bool SystemContext::enter_file() {
    try {
        mntns::enter(paths_.ns_file);
    } catch (const std::system_error& e) {
        const int err = e.code().value();
        if (err == ENOENT || err == EINVAL)
            return false;
        throw;
    }
    return true;
}

std::optional<Inside> SystemContext::enter(const profile::MountProfile&, bool,
                                           const std::function<void(const std::string&)>&) {
    if (!enter_file())
        return std::nullopt;
    return Inside{};
}

PileDir SystemContext::pile_dir(const std::function<void(const std::string&)>& debug) {
    if (!state_dir_)
        return {};
    const std::string dir = base::parent_dir(paths_.current);
    auto none = [&](const std::string& why) {
        if (debug)
            debug("replaced mounts are detached one by one: " + why);
        return PileDir{};
    };
    const int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return none("the state directory " + dir +
                    " cannot be opened in the namespace: " + base::errno_text(errno));
    base::Fd inside(fd);
    struct stat host {};
    struct stat here {};
    if (::fstat(state_dir_.get(), &host) < 0 || ::fstat(inside.get(), &here) < 0 ||
        host.st_dev != here.st_dev || host.st_ino != here.st_ino)
        return none("the namespace's " + dir + " is not the state directory");
    return {std::move(inside), pile_name(paths_.current), dir};
}

void SystemContext::save_current(std::string_view text) {
    const std::string& path = paths_.current;
    const std::string name = path.substr(path.rfind('/') + 1);
    // The file is read again rather than its text kept from load_current():
    // that text is as large as the profile's entries, for the whole run.
    if (base::file_holds_at(state_dir_.get(), name, text))
        return;
    base::write_file_at(state_dir_.get(), name, text, 0644, path);
}

SnapConfineContext::SnapConfineContext(std::string name, NamespacePaths paths,
                                       WritablePlaces places)
    : SystemContext(std::move(paths), std::move(places), -1, ProfileChecks::Parse),
      name_(std::move(name)) {}

base::Fd SnapConfineContext::lock() {
    require_lock_held_elsewhere(paths().lock, name_);
    return {};
}

std::optional<Inside> SnapConfineContext::enter(const profile::MountProfile&, bool,
                                                const std::function<void(const std::string&)>&) {
    return Inside{};
}

ContainerContext::ContainerContext(NamespacePaths paths, pid_t pid, double lock_timeout,
                                   ProfileChecks checks)
    : SystemContext(std::move(paths), {.unrestricted = {"/"}}, lock_timeout, checks), pid_(pid) {}

ContainerContext::~ContainerContext() {
    // What runs at exit (a sanitizer's leak check) reads /proc, which
    // inside is the container's. Failing here leaves the process where it
    // is, which it leaves by exiting.
    if (home_)
        ::setns(home_.get(), CLONE_NEWNS);
}

std::optional<Inside> ContainerContext::enter(
    const profile::MountProfile& desired, bool applying,
    const std::function<void(const std::string&)>& debug) {
    const std::string pid = std::to_string(pid_);
    std::optional<mountinfo::MountTable> table;
    try {
        table = mountinfo::MountTable::from_file("/proc/" + pid + "/mountinfo");
    } catch (const std::system_error& e) {
        // No such process: no namespace to update.
        if (e.code().value() == ENOENT || e.code().value() == ESRCH)
            return std::nullopt;
        throw;
    }
    host_proc_ = base::Fd(
        base::check_sys(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC), "cannot open /proc"));
    home_ = base::Fd(base::check_sys(::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC),
                                     "cannot open this process's mount namespace"));
    Inside inside{std::move(*table), mountinfo::MountTable::from_self()};
    if (applying) {
        if (debug) {
            debug("process " + pid +
                  " is a container: taking bind sources on the host, and building overlays "
                  "there");
        }
        LinuxKernel kernel;
        inside.host_sources = HostSources::take(
            kernel, desired, pid_, [this](const std::function<void()>& body) { on_host(body); },
            debug);
    }
    if (!enter_file())
        return std::nullopt;
    // Inside, /proc/self/fd/N (MountOps::detach) is found through the
    // host's /proc; every other path here is absolute.
    base::check_sys(::fchdir(host_proc_.get()), "cannot work from the host's /proc");
    inside_ =
        base::Fd(base::check_sys(::openat(host_proc_.get(), "self/ns/mnt", O_RDONLY | O_CLOEXEC),
                                 "cannot open the container's mount namespace"));
    return inside;
}

void ContainerContext::on_host(const std::function<void()>& body) {
    base::check_sys(::setns(home_.get(), CLONE_NEWNS),
                    "cannot step out of the container's mount namespace");
    std::exception_ptr failed;
    try {
        body();
    } catch (...) {
        failed = std::current_exception();
    }
    if (::setns(inside_.get(), CLONE_NEWNS) < 0 || ::fchdir(host_proc_.get()) < 0) {
        // Every change after this one would land in the host's namespace.
        const int err = errno;
        std::fprintf(stderr,
                     "nsreconcile: cannot return into the mount namespace of process %d: %s; "
                     "stopping before anything else is changed\n",
                     static_cast<int>(pid_), std::strerror(err));
        std::_Exit(1);
    }
    if (failed)
        std::rethrow_exception(failed);
}

}  // namespace nsr::reconcile
