// File facts inside the namespace: what exists at a path, and as what.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace nsr::reconcile {

enum class FileType { Missing, Directory, Regular, Symlink, Other };

class FsView {
  public:
    virtual ~FsView() = default;
    // Like lstat: a symlink is reported as a symlink.
    virtual FileType lstat(const std::string& path) const = 0;
    // Like stat: symlinks are followed.
    virtual FileType stat(const std::string& path) const = 0;
    // The target of the symlink at PATH, or "" when PATH is not a symlink.
    virtual std::string readlink(const std::string& path) const = 0;
};

// The live filesystem of the calling process's namespace.
class LiveFsView final : public FsView {
  public:
    FileType lstat(const std::string& path) const override;
    FileType stat(const std::string& path) const override;
    std::string readlink(const std::string& path) const override;
};

// A fixed table of facts (scenario files, tests). Every ancestor of a listed
// path is a directory; "/" and "." (where relative paths, which snapd's diff
// accepts, start) always exist; anything else is missing.
class TableFsView final : public FsView {
  public:
    TableFsView() : TableFsView({}, {}, {}) {}
    TableFsView(std::set<std::string> dirs, std::set<std::string> files,
                std::map<std::string, std::string> symlinks);
    FileType lstat(const std::string& path) const override;
    FileType stat(const std::string& path) const override;
    std::string readlink(const std::string& path) const override;

  private:
    std::set<std::string, std::less<>> dirs_;
    std::set<std::string, std::less<>> files_;
    std::map<std::string, std::string, std::less<>> symlinks_;
};

}  // namespace nsr::reconcile
