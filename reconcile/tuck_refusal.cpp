#include "reconcile/tuck_refusal.hpp"

#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

namespace nsr::reconcile {

using mountinfo::Mount;

namespace {

// The N of an optional field "KEY:N" ("shared:5", "master:1").
std::optional<std::string> peer_group(const Mount& m, const std::string& key) {
    const std::string prefix = key + ":";
    for (const auto& f : m.optional_fields) {
        if (f.starts_with(prefix))
            return f.substr(prefix.size());
    }
    return std::nullopt;
}

// Linux gained MOVE_MOUNT_BENEATH in 6.5; before, the flag is unknown and
// refused with the same EINVAL.
std::optional<std::string> release_without_beneath() {
    struct utsname u {};
    if (::uname(&u) != 0)
        return std::nullopt;
    int major = 0, minor = 0;
    if (std::sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return std::nullopt;
    if (major > 6 || (major == 6 && minor >= 5))
        return std::nullopt;
    return std::string(u.release);
}

// DIR's path inside the filesystem of PARENT, which holds it.
std::string path_in(const Mount& parent, const std::string& dir) {
    const std::string& point = parent.mount_point;
    const std::string rest = point == "/" ? dir.substr(1) : dir.substr(point.size() + 1);
    return mountinfo::join_path(parent.root, rest);
}

}  // namespace

std::string beneath_refusal(MountView& view, const std::string& dir, int err) {
    if (err != EINVAL)
        return std::strerror(err);
    const auto top = view.visible_at(dir);
    if (!top)
        return dir + " is not a mount point";
    const auto parent = view.parent_of(*top);
    if (!parent)
        return dir + " is the root of the namespace";
    if (auto release = release_without_beneath())
        return "Linux " + *release + " predates MOVE_MOUNT_BENEATH (6.5)";
    // The kernel refuses when the parent would propagate the new mount on
    // top of the old one: the parent is shared, the old mount (or its
    // master) is its peer, and the old mount's root is DIR itself.
    if (auto group = peer_group(*parent, "shared")) {
        const bool peer =
            peer_group(*top, "shared") == group || peer_group(*top, "master") == group;
        if (peer && top->dev() == parent->dev() && top->root == path_in(*parent, dir)) {
            return "the parent mount at " + parent->mount_point + " propagates to the mount at " +
                   dir + " (peer group " + *group +
                   "), so a mount beneath would be propagated on top";
        }
    }
    return "the mount at " + dir +
           " is locked (it came from a more privileged namespace), or the kernel refuses for a "
           "reason the mount table does not show";
}

}  // namespace nsr::reconcile
