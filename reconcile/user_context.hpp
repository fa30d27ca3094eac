// The update contexts of per-user profiles (snapd's
// UserProfileUpdateContext, cmd/snap-update-ns/user.go): the user's paths
// are expanded (reconcile/user_paths.hpp) and only the user's real home is
// a writable place.
#pragma once

#include "reconcile/system_context.hpp"
#include "reconcile/user_paths.hpp"

namespace nsr::reconcile {

// `nsreconcile apply NAME --user-mounts`: the per-user profiles of DIRS.uid
// (PATHS) applied in the namespace NAME, from outside it, under its lock,
// with a current profile of their own.
class UserContext : public SystemContext {
  public:
    UserContext(NamespacePaths paths, UserDirs dirs, double lock_timeout, ProfileChecks checks);
    void expand(profile::MountProfile& profile) override;
    WritablePlaces writable_places() const override;

  private:
    UserDirs dirs_;
};

// `snap-update-ns --user-mounts`: snap-confine started the tool inside the
// namespace already; as in snapd, there is no lock and no current profile
// (every run starts from an empty one and saves nothing).
class SnapdUserContext : public UserContext {
  public:
    SnapdUserContext(NamespacePaths paths, UserDirs dirs);
    base::Fd lock() override { return {}; }
    profile::MountProfile load_current() override { return {}; }
    void prepare_save(const std::function<void(const std::string&)>&) override {}
    JournalFile* journal_file() override { return nullptr; }
    std::optional<Inside> enter(const profile::MountProfile& desired, bool applying,
                                const std::function<void(const std::string&)>& debug) override;
    void save_current(std::string_view) override {}
};

}  // namespace nsr::reconcile
