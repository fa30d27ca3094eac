// The update contexts of a namespace's system profile (snapd's
// SystemProfileUpdateContext, cmd/snap-update-ns/system.go).
#pragma once

#include <string>

#include "base/fd.hpp"
#include "reconcile/update_context.hpp"

namespace nsr::reconcile {

// How much of a desired profile is checked before anything is done.
enum class ProfileChecks {
    Parse,  // what snapd's parser accepts (the snap-update-ns personality)
    Lint,   // also everything `nsreconcile lint` reports (nsreconcile's own commands)
};

// A namespace preserved in a namespace file, updated from outside it
// (`nsreconcile apply NAME`, `snap-update-ns NAME`): the lock is taken
// (waiting at most LOCK_TIMEOUT seconds; < 0 waits forever), the namespace
// file is entered, and the current profile is read and saved.
class SystemContext : public UpdateContext {
  public:
    SystemContext(NamespacePaths paths, WritablePlaces places, double lock_timeout,
                  ProfileChecks checks);

    const NamespacePaths& paths() const override { return paths_; }
    base::Fd lock() override;
    profile::MountProfile load_desired() override;
    profile::MountProfile load_current() override;
    void prepare_save() override;
    // False when the namespace file is missing or holds no namespace.
    bool enter() override;
    void expand(profile::MountProfile&) override {}
    WritablePlaces writable_places() const override { return places_; }
    void save_current(const profile::MountProfile& current) override;

  private:
    NamespacePaths paths_;
    WritablePlaces places_;
    double lock_timeout_;
    ProfileChecks checks_;
    base::Fd state_dir_;
};

// snap-update-ns --from-snap-confine: snap-confine holds the lock of
// instance NAME and has already put the process into the namespace.
class SnapConfineContext : public SystemContext {
  public:
    SnapConfineContext(std::string name, NamespacePaths paths, WritablePlaces places);
    // Checks that the lock is held, by someone else; throws
    // std::runtime_error when it is not. Takes nothing.
    base::Fd lock() override;
    bool enter() override { return true; }

  private:
    std::string name_;
};

// `nsreconcile plan NAME`: a look that takes no lock (and so creates no
// lock file) and, never being applied, saves nothing.
class PlanOnlyContext : public SystemContext {
  public:
    using SystemContext::SystemContext;
    base::Fd lock() override { return {}; }
};

}  // namespace nsr::reconcile
