#include "reconcile/pristine_fs_view.hpp"

#include "base/path.hpp"

namespace nsr::reconcile {

bool PristineFsView::hidden(const std::string& path) const {
    if (!created_)
        return false;
    std::string p = base::clean_path(path);
    while (p != "/" && p != ".") {
        if (created_(p))
            return true;
        p = base::parent_dir(p);
    }
    return false;
}

FileType PristineFsView::lstat(const std::string& path) const {
    return hidden(path) ? FileType::Missing : live_.lstat(path);
}

FileType PristineFsView::stat(const std::string& path) const {
    return hidden(path) ? FileType::Missing : live_.stat(path);
}

std::string PristineFsView::readlink(const std::string& path) const {
    return hidden(path) ? "" : live_.readlink(path);
}

}  // namespace nsr::reconcile
