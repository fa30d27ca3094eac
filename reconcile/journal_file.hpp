// The journal's file (reconcile/journal.hpp): NAME in the state directory
// of the current profile, reached through a directory fd opened on the host
// side, so that it works after setns.
#pragma once

#include <memory>
#include <string>

#include "base/fd.hpp"
#include "reconcile/journal.hpp"
#include "reconcile/kernel.hpp"

namespace nsr::reconcile {

// The journal's file name for the current profile at CURRENT: the same
// name with ".journal" after it.
std::string journal_name(const std::string& current);

// What the journal names its namespace by: the unique id of the mount at
// "/" (Linux 6.8; before, the id mountinfo shows, which the kernel may hand
// out again once that mount is gone). A namespace made afresh under the
// same name has another, so a journal left by the last one is not taken
// for its own. Throws std::system_error when statx fails.
uint64_t journal_namespace_id(Kernel& kernel);

class StateJournalFile : public JournalFile {
  public:
    // The journal of the current profile at CURRENT, in the state directory
    // DIRFD (borrowed, open for reading: the rename fsyncs it), which must
    // outlive this object.
    StateJournalFile(int dirfd, const std::string& current);
    // The same with the state directory opened now (on the host side), for
    // reading it from inside the namespace later; nullptr when the
    // directory is missing. Throws std::system_error when it cannot be
    // opened.
    static std::unique_ptr<StateJournalFile> open_beside(const std::string& current);

    std::optional<std::string> read() override;
    void append(std::string_view text) override;
    void replace(std::string_view text) override;

  private:
    base::Fd owned_dir_;  // open_beside()'s
    int dirfd_;
    std::string name_;
    std::string display_;
    base::Fd append_fd_;  // opened on the first append, until a replace
};

}  // namespace nsr::reconcile
