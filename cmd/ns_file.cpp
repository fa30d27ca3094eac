#include "cmd/ns_file.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "base/path.hpp"
#include "mountinfo/mount_table.hpp"

namespace nsr::cmd {

namespace {

bool propagates(const mountinfo::Mount& m) {
    for (const auto& f : m.optional_fields) {
        if (f.rfind("shared:", 0) == 0)
            return true;
    }
    return false;
}

// DIR must be a mount of its own that does not share mount events, or a
// nsfs bind made in it would propagate into the namespace it names.
void make_private_mount(const std::string& dir) {
    auto table = mountinfo::MountTable::from_self();
    const mountinfo::Mount* top = table.top_at(dir);
    if (!top) {
        if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0)
            base::throw_errno(-errno, "cannot bind " + dir + " onto itself");
    } else if (!propagates(*top)) {
        return;
    }
    if (::mount(nullptr, dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
        base::throw_errno(-errno, "cannot make " + dir + " private");
}

}  // namespace

void create_namespace(const std::string& path, mntns::Propagation propagation,
                      const std::function<void(const std::string&)>& debug) {
    const std::string dir = base::parent_dir(path);
    base::make_dirs(dir, 0755);
    make_private_mount(dir);
    // The namespace is bound onto a file, which must exist.
    const base::Fd created(
        base::check_sys(::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0000),
                        "cannot create " + path));
    try {
        mntns::bind_new(path, propagation, {}, debug);
    } catch (...) {
        ::unlink(path.c_str());
        throw;
    }
}

bool discard_namespace_file(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return false;
        base::throw_errno(-errno, "cannot inspect " + path);
    }
    if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL)
        base::throw_errno(-errno, "cannot unmount " + path);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        base::throw_errno(-errno, "cannot remove " + path);
    return true;
}

}  // namespace nsr::cmd
