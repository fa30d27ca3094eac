// The update contexts of a namespace's system profile (snapd's
// SystemProfileUpdateContext, cmd/snap-update-ns/system.go).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "base/fd.hpp"
#include "reconcile/journal_file.hpp"
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
    void prepare_save(const std::function<void(const std::string&)>& debug) override;
    bool current_lost() const override { return current_lost_; }
    // The state directory is opened here for a plan (read only).
    JournalFile* journal_file() override;
    // Nothing when the namespace file is missing or holds no namespace.
    std::optional<Inside> enter(const profile::MountProfile& desired, bool applying,
                                const std::function<void(const std::string&)>& debug) override;
    void expand(profile::MountProfile&) override {}
    // The state directory, where it is the same directory inside the
    // namespace as on the host side (prepare_save() opened it there).
    PileDir pile_dir(const std::function<void(const std::string&)>& debug) override;
    WritablePlaces writable_places() const override { return places_; }
    // Nothing when the file already holds TEXT: a run that changed nothing
    // leaves it as it was.
    void save_current(std::string_view text) override;

  protected:
    // setns into the namespace file; false when there is none there.
    bool enter_file();

  private:
    NamespacePaths paths_;
    WritablePlaces places_;
    double lock_timeout_;
    ProfileChecks checks_;
    base::Fd state_dir_;
    bool current_lost_ = false;
    std::unique_ptr<StateJournalFile> journal_;
};

// snap-update-ns --from-snap-confine: snap-confine holds the lock of
// instance NAME and has already put the process into the namespace.
class SnapConfineContext : public SystemContext {
  public:
    SnapConfineContext(std::string name, NamespacePaths paths, WritablePlaces places);
    // Checks that the lock is held, by someone else; throws
    // std::runtime_error when it is not. Takes nothing.
    base::Fd lock() override;
    std::optional<Inside> enter(const profile::MountProfile& desired, bool applying,
                                const std::function<void(const std::string&)>& debug) override;

  private:
    std::string name_;
};

// A container's mount namespace, named by /proc/PID/ns/mnt (apply --pid,
// plan --pid). Its bind sources and overlay layers are host paths that its
// root does not show, so an apply takes bind sources on the host before
// entering and builds overlays on the host side, stepping out for each
// (reconcile/host_sources.hpp); bind sources are resolved in the host's
// mount table. Its own table is read through the host's /proc too: after setns,
// the container's /proc (of its own PID namespace) has no /proc/self for
// this process, so the process then works from the host's /proc. The
// container's root is its own: mount points are made wherever they are
// missing, as runc makes them. The process returns to its own mount
// namespace when the context goes away.
class ContainerContext : public SystemContext {
  public:
    ContainerContext(NamespacePaths paths, pid_t pid, double lock_timeout, ProfileChecks checks);
    ~ContainerContext() override;
    std::optional<Inside> enter(const profile::MountProfile& desired, bool applying,
                                const std::function<void(const std::string&)>& debug) override;
    // None: the container's root is its own, not a place for the tool's
    // mounts.
    PileDir pile_dir(const std::function<void(const std::string&)>&) override { return {}; }

  private:
    // Runs BODY in the mount namespace the process came from (HostSources
    // builds overlays there), then enters the container's again. What BODY
    // throws is thrown once back inside. When the process cannot get back
    // inside, it exits (status 1) with a message: anything it did next
    // would change the host's namespace.
    void on_host(const std::function<void()>& body);

    pid_t pid_;
    base::Fd home_;  // the mount namespace to return to
    base::Fd host_proc_;
    base::Fd inside_;  // the container's mount namespace, once entered
};

}  // namespace nsr::reconcile
