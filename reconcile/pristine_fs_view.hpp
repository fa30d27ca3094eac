// The file facts a fresh namespace would show: the live ones, without what
// nsreconcile itself created there (mount points, the directories made on
// the way to them, layout symlinks and files). The planner orders its mounts
// by these facts (R8 in plan.hpp), so that a run mounts in the order a fresh
// apply of the same desired profile does, whatever earlier runs left behind.
#pragma once

#include <functional>
#include <string>

#include "reconcile/fs_view.hpp"

namespace nsr::reconcile {

class PristineFsView final : public FsView {
  public:
    // LIVE answers for what nsreconcile did not create; CREATED says
    // whether it created a path (clean, absolute), which then counts as
    // missing, and so does everything below it. Both must outlive this.
    PristineFsView(const FsView& live, std::function<bool(const std::string&)> created)
        : live_(live), created_(std::move(created)) {}

    FileType lstat(const std::string& path) const override;
    FileType stat(const std::string& path) const override;
    std::string readlink(const std::string& path) const override;

  private:
    // Whether PATH or a directory above it was created by nsreconcile.
    bool hidden(const std::string& path) const;

    const FsView& live_;
    std::function<bool(const std::string&)> created_;
};

}  // namespace nsr::reconcile
