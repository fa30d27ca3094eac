#include "reconcile/user_paths.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "base/fd.hpp"
#include "base/path.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::reconcile {

namespace {

constexpr std::string_view kXdgRuntimeDir = "$XDG_RUNTIME_DIR";
constexpr std::string_view kHome = "$HOME";
constexpr std::string_view kMustExistDir = "x-snapd.must-exist-dir=";

// PATH with VAR at its start (followed by '/' or the end) replaced by VALUE.
bool expand_prefix(std::string& path, std::string_view var, const std::string& value) {
    if (!path.starts_with(var) || (path.size() > var.size() && path[var.size()] != '/'))
        return false;
    path = value + path.substr(var.size());
    return true;
}

// A tmpfs of a per-user profile that names no owner belongs to the user:
// snapd mounts it as the user, so its root gets the user's uid and gid.
void give_tmpfs_to_user(profile::MountEntry& e, const UserDirs& dirs) {
    if (e.type != "tmpfs")
        return;
    if (!e.option_value("uid"))
        e.options.push_back("uid=" + std::to_string(dirs.uid));
    if (!e.option_value("gid"))
        e.options.push_back("gid=" + std::to_string(dirs.gid));
}

}  // namespace

gid_t user_group(uid_t uid) {
    if (::getuid() == uid)
        return ::getgid();
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr)
        return found->pw_gid;
    return static_cast<gid_t>(uid);
}

std::string home_problem(const std::string& home) {
    std::string why;
    if (home.empty() || home.front() != '/') {
        why = "not an absolute path";
    } else if (base::clean_path(home) != home) {
        why = "not a clean path";
    } else if (const base::Fd dir(
                   ::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
               !dir) {
        why = std::strerror(errno);
    } else {
        return "";
    }
    return "cannot use invalid home directory \"" + home + "\": " + why;
}

void expand_user_paths(profile::MountProfile& profile, const UserDirs& dirs) {
    const std::string runtime_dir = "/run/user/" + std::to_string(dirs.uid);
    std::optional<std::string> problem;  // of the real home, once checked
    for (auto& e : profile.entries) {
        const std::string original = e.to_string();
        expand_prefix(e.name, kXdgRuntimeDir, runtime_dir);
        expand_prefix(e.dir, kXdgRuntimeDir, runtime_dir);
        give_tmpfs_to_user(e, dirs);
        if (profile::kind(e) != profile::EntryKind::EnsureDir)
            continue;
        auto expand_home = [&](std::string& path) {
            if (!path.starts_with(kHome))
                return;
            std::string expanded = path;
            if (!expand_prefix(expanded, kHome, dirs.real_home))
                return;
            if (!problem)
                problem = home_problem(dirs.real_home);
            if (!problem->empty())
                throw std::runtime_error("cannot expand mount entry (" + original +
                                         "): " + *problem);
            path = std::move(expanded);
        };
        expand_home(e.dir);
        for (auto& option : e.options) {
            if (!option.starts_with(kMustExistDir))
                continue;
            std::string value = option.substr(kMustExistDir.size());
            expand_home(value);
            option = std::string(kMustExistDir) + value;
        }
    }
}

}  // namespace nsr::reconcile
