#include "reconcile/change_groups.hpp"

#include <sys/mount.h>

#include <string>

#include "profile/flags.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/paths.hpp"

namespace nsr::reconcile {

using profile::Kind;

namespace {

bool is_mount_of_kind_dir_or_file(const Change& c) {
    if (c.action != Action::Mount && c.action != Action::Replace)
        return false;
    const Kind k = profile::kind(c.entry);
    return k == Kind::Directory || k == Kind::File;
}

bool below(const std::string& path, const std::string& dir) {
    return path != dir && is_within(path, dir);
}

}  // namespace

std::vector<size_t> mounts_carried_by(const std::vector<Change>& plan, size_t replace) {
    constexpr unsigned long kPropagation = MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE;
    const std::string dir = clean_path(plan.at(replace).entry.dir);
    // Mount points changed after the replacement: a source below one of
    // them would be read before its change instead of after.
    std::vector<std::string> changed{dir};
    std::vector<size_t> out;
    for (size_t i = replace + 1; i < plan.size(); ++i) {
        const Change& c = plan[i];
        const std::string cdir = clean_path(c.entry.dir);
        if (!below(cdir, dir)) {
            changed.push_back(cdir);
            continue;
        }
        if (!is_mount_of_kind_dir_or_file(c))
            break;
        if (profile::options_to_flags(c.entry.options).flags & kPropagation)
            break;
        if (profile::is_bind(c.entry)) {
            const std::string src = clean_path(c.entry.name);
            bool moved = false;
            for (const auto& d : changed)
                moved = moved || is_within(src, d);
            if (moved)
                break;
        }
        out.push_back(i);
    }
    return out;
}

std::map<size_t, size_t> unmounts_leaving_with_tmpfs(const std::vector<Change>& plan) {
    std::map<size_t, size_t> out;
    for (size_t j = 0; j < plan.size(); ++j) {
        const Change& t = plan[j];
        if (t.action != Action::Unmount || t.entry.type != "tmpfs" ||
            profile::kind(t.entry) != Kind::Directory) {
            continue;
        }
        const std::string dir = clean_path(t.entry.dir);
        size_t first = j;
        while (first > 0 && plan[first - 1].action == Action::Unmount &&
               below(clean_path(plan[first - 1].entry.dir), dir)) {
            --first;
        }
        if (first < j)
            out[first] = j;
    }
    return out;
}

}  // namespace nsr::reconcile
