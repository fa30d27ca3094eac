#include "reconcile/journal_file.hpp"

#include <fcntl.h>

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/path.hpp"

namespace nsr::reconcile {

namespace {

// A journal holds a line per entry and per created path: far below this.
constexpr size_t kMaxJournalBytes = 64 << 20;

}  // namespace

std::string journal_name(const std::string& current) {
    return current.substr(current.rfind('/') + 1) + ".journal";
}

uint64_t journal_namespace_id(Kernel& kernel) {
    struct statx stx {};
    base::check_rc(
        kernel.statx(AT_FDCWD, "/", AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE | STATX_MNT_ID, &stx),
        "cannot inspect \"/\"");
    return stx.stx_mnt_id;
}

StateJournalFile::StateJournalFile(int dirfd, const std::string& current)
    : dirfd_(dirfd),
      name_(journal_name(current)),
      display_(base::parent_dir(current) + "/" + name_) {}

std::unique_ptr<StateJournalFile> StateJournalFile::open_beside(const std::string& current) {
    const std::string dir = base::parent_dir(current);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return nullptr;
    base::Fd owned(base::check_sys(fd, "cannot open the state directory " + dir));
    auto file = std::make_unique<StateJournalFile>(owned.get(), current);
    file->owned_dir_ = std::move(owned);
    return file;
}

std::optional<std::string> StateJournalFile::read() {
    return base::try_read_file_at(dirfd_, name_, kMaxJournalBytes, display_);
}

void StateJournalFile::append(std::string_view text) {
    if (!append_fd_) {
        append_fd_ = base::Fd(
            base::check_sys(::openat(dirfd_, name_.c_str(),
                                     O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644),
                            "cannot open " + display_));
    }
    base::write_all(append_fd_.get(), text, display_);
}

void StateJournalFile::replace(std::string_view text) {
    // The fd held would still write to the file replaced.
    append_fd_.reset();
    base::write_file_at(dirfd_, name_, text, 0644, display_);
}

}  // namespace nsr::reconcile
