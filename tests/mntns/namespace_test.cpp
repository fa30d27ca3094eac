// Making, entering and binding mount namespaces for real (needs root); the
// mounts happen in children's private namespaces only.
#include "mntns/namespace.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "mntns/child.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::mntns;
using nsr::test::require_root;
using nsr::test::Scratch;

namespace {

std::string own_namespace() {
    char buf[64];
    const ssize_t n = ::readlink("/proc/self/ns/mnt", buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

}  // namespace

TEST_CASE("run_in_private runs in a namespace of its own, and its mounts stay there") {
    require_root("unshare(CLONE_NEWNS)");
    Scratch s;
    const std::string seen = run_in_private([&] {
        nsr::base::check_sys(::mount("tmpfs", s.path().c_str(), "tmpfs", 0, nullptr), "mount");
        return own_namespace();
    });
    CHECK(seen != own_namespace());
    // The tmpfs went away with the child: the directory is empty here.
    CHECK(::rmdir(s.path().c_str()) == 0);
}

TEST_CASE("bind_new binds a fresh namespace to a file, made by INSIDE; run_in reaches it") {
    require_root("mounting namespace files");
    Scratch s;
    const std::string report = run_in_private([&] {
        // The file's directory must not propagate into the new namespace.
        nsr::base::check_sys(::mount("tmpfs", s.path().c_str(), "tmpfs", 0, nullptr), "tmpfs");
        nsr::base::check_sys(::mount(nullptr, s.path().c_str(), nullptr, MS_PRIVATE, nullptr),
                             "private");
        nsr::base::make_dirs(s / "inner", 0755);
        const std::string file = s / "app.mnt";
        const nsr::base::Fd created(nsr::base::check_sys(
            ::open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600), "create " + file));
        // Each round makes a fresh namespace, so the CPU rule is exercised.
        for (int round = 0; round < 20; ++round) {
            bind_new(file, Propagation::Slave, [&] {
                nsr::base::check_sys(
                    ::mount("tmpfs", (s / "inner").c_str(), "tmpfs", 0, "mode=0701"), "inner");
            });
            if (!is_bound(file))
                return std::string("not bound after bind_new");
            const std::string inside = run_in(file, [&] {
                struct stat st {};
                nsr::base::check_sys(::stat((s / "inner").c_str(), &st), "stat");
                return own_namespace() + " mode " + std::to_string(st.st_mode & 07777);
            });
            // Another namespace, where INSIDE's tmpfs (mode 0701) is.
            if (inside.starts_with(own_namespace() + " ") || !inside.ends_with(" mode 449"))
                return "round " + std::to_string(round) + ": " + inside;
            nsr::base::check_sys(::umount2(file.c_str(), MNT_DETACH), "umount");
        }
        return std::string("ok");
    });
    CHECK(report == "ok");
}
