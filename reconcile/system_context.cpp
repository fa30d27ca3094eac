#include "reconcile/system_context.hpp"

#include <fcntl.h>

#include <cerrno>
#include <system_error>

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/path.hpp"
#include "mntns/namespace.hpp"
#include "profile/fstab.hpp"
#include "profile/validate.hpp"
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
    return load_checked(paths_.current, ProfileChecks::Parse, "current");
}

void SystemContext::prepare_save() {
    const std::string dir = base::parent_dir(paths_.current);
    state_dir_ = base::Fd(base::check_sys(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                                          "cannot open the state directory " + dir));
}

bool SystemContext::enter() {
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

void SystemContext::save_current(const profile::MountProfile& current) {
    const std::string& path = paths_.current;
    base::write_file_at(state_dir_.get(), path.substr(path.rfind('/') + 1),
                        profile::format_profile(current), 0644, path);
}

SnapConfineContext::SnapConfineContext(std::string name, NamespacePaths paths,
                                       WritablePlaces places)
    : SystemContext(std::move(paths), std::move(places), -1, ProfileChecks::Parse),
      name_(std::move(name)) {}

base::Fd SnapConfineContext::lock() {
    require_lock_held_elsewhere(paths().lock, name_);
    return {};
}

}  // namespace nsr::reconcile
