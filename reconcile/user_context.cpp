#include "reconcile/user_context.hpp"

namespace nsr::reconcile {

UserContext::UserContext(NamespacePaths paths, UserDirs dirs, double lock_timeout,
                         ProfileChecks checks)
    : SystemContext(std::move(paths), {}, lock_timeout, checks), dirs_(std::move(dirs)) {}

void UserContext::expand(profile::MountProfile& profile) {
    expand_user_paths(profile, dirs_);
}

WritablePlaces UserContext::writable_places() const {
    return user_places(dirs_.real_home);
}

SnapdUserContext::SnapdUserContext(NamespacePaths paths, UserDirs dirs)
    : UserContext(std::move(paths), std::move(dirs), -1, ProfileChecks::Parse) {}

std::optional<Inside> SnapdUserContext::enter(const profile::MountProfile&, bool,
                                              const std::function<void(const std::string&)>&) {
    return Inside{};
}

}  // namespace nsr::reconcile
