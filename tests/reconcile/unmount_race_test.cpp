// The unmount of an entry that is neither a tmpfs nor a bind (a plain,
// non-lazy umount2) against a user who owns a directory above the mount
// point and swaps it for a symlink between the tool's safe walk and the
// unmount. The swap is made right before umount2 reaches the kernel, which
// widens the race to certain.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/error.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/assumptions.hpp"
#include "reconcile/executor.hpp"
#include "reconcile/fs_view.hpp"
#include "reconcile/live_mount_view.hpp"
#include "tests/reconcile/fake_kernel.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using nsr::base::check_sys;
using nsr::mountinfo::MountTable;
using nsr::test::require_root;
using nsr::test::Scratch;

namespace {

bool is_mounted(const std::string& dir) {
    const MountTable table = MountTable::from_self();
    return !table.stack_at(dir).empty();
}

}  // namespace

TEST_CASE("a plain unmount cannot be redirected by swapping a parent for a symlink") {
    require_root("mounts");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string report = nsr::mntns::run_in_private([&] {
        check_sys(::mount("tmpfs", s.c_str(), "tmpfs", 0, "mode=0755"), "mount " + s);
        // USER is the app user's directory (anyone may write to it); the
        // victim is a mount elsewhere that the user wants gone.
        for (const char* d : {"/user", "/user/leaf", "/victim", "/victim/leaf"})
            check_sys(::mkdir((s + d).c_str(), 0755), std::string("mkdir ") + d);
        check_sys(::chmod((s + "/user").c_str(), 0777), "chmod user");
        check_sys(::mount("tmpfs", (s + "/user/leaf").c_str(), "tmpfs", 0, "mode=0700"), "mine");
        check_sys(::mount("victim", (s + "/victim/leaf").c_str(), "tmpfs", 0, "mode=0700"),
                  "victim");

        // Without x-snapd.detach, the entry is unmounted with a plain
        // umount2, as snapd does for filesystems other than tmpfs and binds.
        const auto entry =
            nsr::profile::parse_profile("tmpfs " + s + "/user/leaf tmpfs mode=0700 0 0\n", "test")
                .entries.at(0);
        // Right before the unmount, the user renames their directory away
        // and puts a symlink to the victim's directory in its place.
        FakeKernel kernel;
        kernel.before_each([&](const FakeKernel::Call& call) {
            if (call.name != "umount2")
                return;
            check_sys(::rename((s + "/user").c_str(), (s + "/user.moved").c_str()), "rename");
            check_sys(::symlink((s + "/victim").c_str(), (s + "/user").c_str()), "symlink");
        });
        LiveMountView view(kernel);
        LiveFsView fs;
        Assumptions as;
        const Result r =
            Executor(kernel, view, fs, as, {}).execute({{Action::Unmount, entry, std::nullopt}});
        std::string out = std::string(status_name(r.outcomes.at(0).status)) + " " +
                          r.outcomes.at(0).detail + "\n";
        out += "victim mounted: " + std::to_string(is_mounted(s + "/victim/leaf")) + "\n";
        out += "the entry's mount: " + std::to_string(is_mounted(s + "/user.moved/leaf")) + "\n";
        return out;
    });
    // The entry's own mount went, the victim stayed. The mount point is not
    // removed: the tool did not make it (no journal says so).
    CHECK(report ==
          "done \n"
          "victim mounted: 1\n"
          "the entry's mount: 0\n");
}

TEST_CASE("without /proc/self, the unmount through the parent's fd goes through the host's /proc") {
    // In a container's namespace /proc is the container's and has no
    // /proc/self for this process (umount2 says ENOENT); apply then works
    // from the host's /proc, where self/fd/N/LEAF names the same directory.
    require_root("mounts");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string report = nsr::mntns::run_in_private([&] {
        check_sys(::mount("tmpfs", s.c_str(), "tmpfs", 0, "mode=0755"), "mount " + s);
        const auto entry =
            nsr::profile::parse_profile("tmpfs " + s + "/leaf tmpfs mode=0700 0 0\n", "test")
                .entries.at(0);
        // The tool did not make the mount point: it stays after each unmount.
        check_sys(::mkdir((s + "/leaf").c_str(), 0755), "mkdir leaf");
        auto unmount_with = [&](FakeKernel& kernel) {
            check_sys(::mount("tmpfs", (s + "/leaf").c_str(), "tmpfs", 0, "mode=0700"), "mount");
            LiveMountView view(kernel);
            LiveFsView fs;
            Assumptions as;
            return Executor(kernel, view, fs, as, {})
                .execute({{Action::Unmount, entry, std::nullopt}});
        };
        // A first run finds the position of the unmount among the calls.
        FakeKernel counting;
        unmount_with(counting);
        size_t at = 0;
        while (counting.calls().at(at).name != "umount2")
            ++at;
        check_sys(::chdir("/proc"), "chdir /proc");
        FakeKernel kernel;
        kernel.fail_at(at, ENOENT);
        const Result r = unmount_with(kernel);
        std::string out = std::string(status_name(r.outcomes.at(0).status)) + "\n";
        for (const auto& call : kernel.calls()) {
            if (call.name == "umount2")
                out += call.path.substr(0, call.path.find("/fd/")) + " " +
                       call.path.substr(call.path.rfind('/')) + "\n";
        }
        out += "mounted: " + std::to_string(is_mounted(s + "/leaf")) + "\n";
        return out;
    });
    CHECK(report ==
          "done\n"
          "/proc/self /leaf\n"
          "self /leaf\n"
          "mounted: 0\n");
}
