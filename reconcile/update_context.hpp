// Who is updating which namespace, and how: the one seam between an update
// and its callers, after snapd's MountProfileUpdateContext
// (cmd/snap-update-ns/update.go). The update itself (reconcile/update.hpp)
// has no modes; everything that differs between `nsreconcile apply`,
// snap-update-ns, snap-confine's call and per-user mounts lives in the
// context: the lock, the profile files, the namespace to enter, the user's
// paths and the writable places.
//
// The calls come in this order: lock(), load_desired(), load_current(),
// current_lost(), prepare_save() (apply only), journal_file(), all on the
// host side; then enter(); then,
// inside the namespace, expand() on both profiles, pile_dir() (apply
// only), writable_places() and save_current() (apply only).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/mount_entry.hpp"
#include "reconcile/host_sources.hpp"
#include "reconcile/journal.hpp"
#include "reconcile/pile.hpp"
#include "reconcile/writable_places.hpp"

namespace nsr::reconcile {

// Where the files of one namespace are.
struct NamespacePaths {
    std::string ns_file;  // the bind-mounted nsfs file of the namespace
    std::string desired;  // desired profile
    std::string current;  // current profile (the log of what was applied)
    std::string lock;     // per-namespace lock file
};

// What an update works with inside the namespace.
struct Inside {
    // The namespace's mount table, when it was read elsewhere (a
    // container's, through the host's /proc); none: the update asks the
    // kernel about the paths it needs, from inside (reconcile/mount_state.hpp).
    std::optional<mountinfo::MountTable> table{};
    // Where bind sources are resolved when they do not live in the
    // namespace (a container's are the host's); none: the namespace.
    std::optional<mountinfo::MountTable> source_table{};
    // Sources taken before entering, for an apply (a container's); none:
    // they are opened inside.
    std::optional<HostSources> host_sources{};
};

class UpdateContext {
  public:
    virtual ~UpdateContext() = default;

    virtual const NamespacePaths& paths() const = 0;

    // Keeps other updates of the namespace out while the returned fd is
    // open (an empty fd when the context takes no lock of its own). Throws
    // LockTimeout or std::system_error.
    virtual base::Fd lock() = 0;

    // The profiles. A desired profile that does not parse, or that the
    // context's checks reject, throws base::InputError naming the file and
    // line; I/O errors throw std::system_error.
    virtual profile::MountProfile load_desired() = 0;
    virtual profile::MountProfile load_current() = 0;

    // Gets ready, on the host side, to save the current profile later from
    // inside the namespace (opens the state directory), and removes what an
    // interrupted save left there, saying so on DEBUG (may be empty).
    virtual void prepare_save(const std::function<void(const std::string&)>& debug) = 0;

    // Whether load_current() found no current profile to read: then it is
    // lost, and the journal's stands in for it (reconcile/recovery.hpp).
    virtual bool current_lost() const { return false; }
    // The journal next to the current profile (reconcile/journal.hpp),
    // reachable from inside the namespace; called on the host side, after
    // prepare_save() for an apply. nullptr when the context keeps no state
    // (nor, then, a journal). A plan only reads it.
    virtual JournalFile* journal_file() { return nullptr; }

    // Moves the process into the namespace to update and gathers what the
    // update works with there. DESIRED: the profile about to be applied
    // (APPLYING) or planned; DEBUG: the debug log (may be empty). Nothing
    // when there is no namespace (nothing to do).
    virtual std::optional<Inside> enter(const profile::MountProfile& desired, bool applying,
                                        const std::function<void(const std::string&)>& debug) = 0;

    // Rewrites the paths of PROFILE that depend on who is updating
    // ($XDG_RUNTIME_DIR, $HOME); nothing for a system profile.
    virtual void expand(profile::MountProfile& profile) = 0;

    virtual WritablePlaces writable_places() const = 0;

    // Where an apply may pile the mounts its replacements take down
    // (reconcile/pile.hpp): a directory of the context's own, opened from
    // inside the namespace (after enter()). Empty when there is none
    // usable, saying why on DEBUG (may be empty): each old mount is then
    // detached on its own.
    virtual PileDir pile_dir(const std::function<void(const std::string&)>&) { return {}; }

    // Records what is in place now (after prepare_save()) as the current
    // profile: TEXT, the entries in order as profile::format_entries()
    // writes them.
    virtual void save_current(std::string_view text) = 0;
};

}  // namespace nsr::reconcile
