#include "reconcile/fs_view.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "base/path.hpp"

namespace nsr::reconcile {

using base::parent_dir;

namespace {

FileType type_of(int rc, const struct stat& st) {
    if (rc != 0)
        return FileType::Missing;
    if (S_ISDIR(st.st_mode))
        return FileType::Directory;
    if (S_ISREG(st.st_mode))
        return FileType::Regular;
    if (S_ISLNK(st.st_mode))
        return FileType::Symlink;
    return FileType::Other;
}

}  // namespace

FileType LiveFsView::lstat(const std::string& path) const {
    struct stat st {};
    return type_of(::lstat(path.c_str(), &st), st);
}

FileType LiveFsView::stat(const std::string& path) const {
    struct stat st {};
    return type_of(::stat(path.c_str(), &st), st);
}

std::string LiveFsView::readlink(const std::string& path) const {
    std::vector<char> buf(4096);
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0)
        return "";
    return std::string(buf.data(), static_cast<size_t>(n));
}

TableFsView::TableFsView(std::set<std::string> dirs, std::set<std::string> files,
                         std::map<std::string, std::string> symlinks) {
    // Every ancestor of a listed path exists as a directory. A relative path
    // climbs to ".", the working directory, which exists as "/" does.
    auto add_parents = [this](std::string p) {
        while (p != "/" && p != ".") {
            p = parent_dir(p);
            dirs_.insert(p);
        }
    };
    for (const auto& d : dirs) {
        dirs_.insert(d);
        add_parents(d);
    }
    for (const auto& f : files) {
        files_.insert(f);
        add_parents(f);
    }
    for (const auto& [link, target] : symlinks) {
        symlinks_.emplace(link, target);
        add_parents(link);
    }
    dirs_.insert("/");
    dirs_.insert(".");
}

FileType TableFsView::lstat(const std::string& path) const {
    if (symlinks_.count(path))
        return FileType::Symlink;
    if (dirs_.count(path))
        return FileType::Directory;
    if (files_.count(path))
        return FileType::Regular;
    return FileType::Missing;
}

FileType TableFsView::stat(const std::string& path) const {
    std::string p = path;
    // A bounded number of hops, like the kernel's ELOOP limit.
    for (int hops = 0; hops < 40; ++hops) {
        auto it = symlinks_.find(p);
        if (it == symlinks_.end())
            return lstat(p);
        const std::string& target = it->second;
        p = (!target.empty() && target[0] == '/') ? target : parent_dir(p) + "/" + target;
    }
    return FileType::Missing;
}

std::string TableFsView::readlink(const std::string& path) const {
    auto it = symlinks_.find(path);
    return it == symlinks_.end() ? "" : it->second;
}

}  // namespace nsr::reconcile
