// The OciContext of the host: paths resolved by realpath(3), as the
// kernel follows them when runc mounts (cmd/oci_convert.hpp).
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/path.hpp"
#include "cmd/oci_convert.hpp"

namespace nsr::cmd {

using reconcile::FileType;

OciContext oci_host_context(const std::string& bundle) {
    OciContext ctx;
    ctx.bundle = bundle;
    ctx.resolve = [](const std::string& path) -> std::optional<HostPath> {
        char buf[PATH_MAX];
        if (!::realpath(path.c_str(), buf))
            return std::nullopt;
        struct stat st {};
        if (::stat(buf, &st) != 0)
            return std::nullopt;
        FileType t = S_ISDIR(st.st_mode)   ? FileType::Directory
                     : S_ISREG(st.st_mode) ? FileType::Regular
                                           : FileType::Other;
        return HostPath{buf, t};
    };
    ctx.dest_mode = [](const std::string& root, const std::string& dest) -> std::optional<mode_t> {
        // Resolved inside ROOT, as runc resolves a destination.
        char buf[PATH_MAX];
        if (!::realpath(root.c_str(), buf))
            return std::nullopt;
        const std::string real_root = buf;
        if (!::realpath((real_root + dest).c_str(), buf))
            return std::nullopt;
        if (!base::is_within(buf, real_root))
            return std::nullopt;
        struct stat st {};
        if (::stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            return std::nullopt;
        return st.st_mode & 07777;
    };
    return ctx;
}

}  // namespace nsr::cmd
