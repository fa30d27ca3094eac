// The journal: what nsreconcile owns in a namespace that the current
// profile cannot say, kept in a side file next to it (the current profile
// is snapd's format, which snapd reads too, so nothing of ours goes there).
//
// A run appends an intent before each change that takes more than one
// system call to make or whose result the next run must be able to own:
// a mount about to be attached (claim "mount"), a replacement about to
// be attached beneath the old mount ("replace"), a writable mimic about to
// be attached ("mimic"), a directory or file about to be created
// ("created"). When the run saves the current profile, the journal is
// compacted: the entries then in place, the paths created and still there,
// the replacements still half done. So after a SIGKILL anywhere in a run,
// the next run knows what the killed one may have made (each claim is
// checked against the kernel before it is believed: reconcile/recovery.hpp),
// and a lost current profile is replaced by the journal's.
//
// An intent is one write(2) to a file opened O_APPEND, without fsync: a
// SIGKILL cannot lose what write() returned for, and what a power loss
// would lose (on the state directory, a tmpfs on /run in both layouts)
// goes with the namespace itself. A run that changes nothing writes
// nothing.
//
// The file is text, one record a line, fields separated by a tab (which
// the fstab escapes never leave raw): a header naming the namespace
// ("nsreconcile-journal 1 ID", the unique id of the namespace's root
// mount), then "entry\tFSTAB" (in place at the last save, in log order),
// "mount\tFSTAB", "replace\tOLD\tNEW", "mimic\tTMPFS\tBIND-BACK...",
// "created\tPATH". A file of another namespace counts as lost; a line that
// does not parse (a torn last line) is skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "profile/mount_entry.hpp"

namespace nsr::reconcile {

// Where the journal is kept. Each call throws std::system_error naming the
// file.
class JournalFile {
  public:
    virtual ~JournalFile() = default;
    // The whole file; nothing when there is none.
    virtual std::optional<std::string> read() = 0;
    // Appends TEXT (whole lines) in one write, creating the file if needed.
    virtual void append(std::string_view text) = 0;
    // Replaces the file with TEXT crash-safely (a temp file renamed over).
    virtual void replace(std::string_view text) = 0;
};

// What a run may have made (see above).
struct Claim {
    enum class Kind { Mount, Replace, Mimic };
    Kind kind;
    // Mount: the entry. Replace: the old entry, then the new one. Mimic:
    // its tmpfs, then its bind-backs (the synthetic entries).
    std::vector<profile::MountEntry> entries;
};

class Journal {
  public:
    // A run that keeps no journal (no state directory: snapd's per-user
    // mounts, a plan): it owns nothing and records nothing.
    Journal() = default;
    // Reads FILE for the namespace NS_ID. DEBUG (may be empty) hears why a
    // file or a line was not used. Throws what FILE throws.
    Journal(JournalFile& file, uint64_t ns_id, std::function<void(const std::string&)> debug);

    // Whether a journal of this namespace was there to read.
    bool found() const { return found_; }
    // The entries in place at the last save, in log order: read and
    // parsed on the first call (a run whose current profile is there never
    // needs them). Throws what the file throws.
    const std::vector<profile::MountEntry>& saved() const;
    // The intents and the half-done replacements, in the order recorded.
    const std::vector<Claim>& claims() const { return claims_; }
    // Whether PATH (clean, absolute) was created by nsreconcile.
    bool created(const std::string& path) const { return created_.count(path) != 0; }

    // Records one intent; nothing without a file.
    void record_mount(const profile::MountEntry& e);
    void record_replace(const profile::MountEntry& old, const profile::MountEntry& neu);
    void record_mimic(std::span<const profile::MountEntry> entries);
    void record_created(const std::string& path);

    // Rewrites the file as IN_PLACE (the new current profile, as
    // profile::format_entries() writes it), the created paths for which
    // EXISTS says yes, and PENDING (claims still half done), unless that is
    // what the file already holds. Nothing without a file, nor when there
    // is nothing to keep and there was no file, nor (without asking EXISTS)
    // when the run recorded nothing, found no claims and leaves the entries
    // the journal saved.
    void compact(std::string in_place, const std::function<bool(const std::string&)>& exists,
                 const std::vector<Claim>& pending);
    // What compact() adds to an IN_PLACE of ENTRIES lines, escapes and
    // PENDING aside: the room to leave in it, so that the journal's text is
    // made without a copy. 0 without a file.
    size_t compact_room(size_t entries) const;

  private:
    void append(std::string line);
    std::string header() const;
    // Whether the file's entries, read again, are IN_PLACE.
    bool saves(std::string_view in_place) const;

    JournalFile* file_ = nullptr;
    uint64_t ns_id_ = 0;
    std::function<void(const std::string&)> debug_;
    bool found_ = false;
    // Whether the file is there, and whether it may be appended to (it is
    // this namespace's, or it was started by this run). Its text is not
    // kept: it is as large as the current profile, and only saved() and
    // the early return of compact() (a run that changed nothing) need its
    // entries, which they read again.
    bool file_exists_ = false;
    bool appendable_ = false;
    bool appended_ = false;  // by this run
    // The saved entries, once asked for.
    mutable std::optional<std::vector<profile::MountEntry>> saved_;
    std::vector<Claim> claims_;
    std::set<std::string> created_;
};

}  // namespace nsr::reconcile
