// Building overlays with overlay_layers_open() and overlay_mount_create(),
// on real directories in a private namespace: by fd on this kernel, and by
// path when the kernel is made (through FakeKernel) to refuse layers by fd
// as kernels before 6.13 do, or one-at-a-time layers as kernels before 6.8 do.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "base/fd.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/overlay_match.hpp"
#include "reconcile/overlay_mount.hpp"
#include "reconcile/secure_fs.hpp"
#include "tests/reconcile/fake_kernel.hpp"
#include "tests/reconcile/raw_mountinfo.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using namespace nsr::test;
using nsr::base::Fd;
using nsr::mntns::run_in_private;
using nsr::profile::OverlaySpec;

namespace {

void check(int rc, const std::string& what) {
    if (rc < 0)
        throw std::system_error(errno, std::generic_category(), what);
}

// A tmpfs at S with the layers lower "a", "b:c", "d,e", data "data", upper
// "u", work "w", and the mount point "m"; the spec of that overlay.
OverlaySpec world(const std::string& s) {
    check(::mount("tmpfs", s.c_str(), "tmpfs", 0, "mode=0755"), "tmpfs");
    for (const char* d : {"/a", "/b:c", "/d,e", "/data", "/u", "/w", "/m"})
        check(::mkdir((s + d).c_str(), 0755), std::string("mkdir ") + d);
    std::ofstream(s + "/a/f") << "a";
    OverlaySpec spec;
    spec.lower = {s + "/a", s + "/b:c", s + "/d,e"};
    spec.data = {s + "/data"};
    spec.upper = s + "/u";
    spec.work = s + "/w";
    return spec;
}

// Mounts SPEC at S/m through K; returns the debug log, then a line for
// each check that failed.
std::string mount_and_check(Kernel& k, const OverlaySpec& spec, const std::string& s) {
    SecureFs sfs(k);
    std::string log;
    auto debug = [&](const std::string& line) { log += line + "\n"; };
    const OverlayLayers layers = overlay_layers_open(k, sfs, spec, s + "/m");
    Fd tree = overlay_mount_create(k, spec, layers, "overlay", {}, s + "/m", debug);
    Fd target = sfs.open_path(s + "/m");
    check(k.move_mount(tree.get(), "", target.get(), "",
                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
          "attach");
    const std::string raw = raw_super_options(s + "/m");
    if (auto m = overlay_matches(spec, raw); !m.matches)
        log += "no match: " + m.why + "\n";
    std::ifstream f(s + "/m/f");
    std::string content;
    f >> content;
    if (content != "a")
        log += "cannot read the lower layer's file\n";
    return log + "shown: " + raw.substr(0, raw.find(s)) + "\n";
}

}  // namespace

TEST_CASE("layers by fd: the kernel shows lowerdir+= and datadir+= per layer") {
    require_root("mounts overlays in a private namespace");
    Scratch s;
    const std::string out = run_in_private([&] {
        LinuxKernel k;
        const OverlaySpec spec = world(s.path());
        std::string log = mount_and_check(k, spec, s.path());
        // What the table is told matches what the kernel shows, up to the
        // options the kernel adds.
        const std::string raw = raw_super_options(s / "m");
        if (!raw.starts_with(overlay_super_options(spec, false) + ","))
            log += "recorded " + overlay_super_options(spec, false) + ", shown " + raw + "\n";
        return log;
    });
    CHECK(out == "shown: rw,lowerdir+=\n");
}

TEST_CASE("no layers by fd: each layer is given as a path, and the debug log says why") {
    require_root("mounts overlays in a private namespace");
    Scratch s;
    const std::string out = run_in_private([&] {
        FakeKernel k;
        k.refuse_fsconfig(FSCONFIG_SET_FD, "lowerdir+", EINVAL);
        return mount_and_check(k, world(s.path()), s.path());
    });
    CHECK(out == "overlay at " + s.path() +
                     "/m: the kernel takes no layers by fd (fsconfig lowerdir+: Invalid "
                     "argument); giving each layer as a path\n"
                     "shown: rw,lowerdir+=\n");
}

TEST_CASE("no layers one at a time: one lowerdir= string, with ':' escaped") {
    require_root("mounts overlays in a private namespace");
    Scratch s;
    const std::string out = run_in_private([&] {
        FakeKernel k;
        k.refuse_fsconfig(FSCONFIG_SET_FD, "lowerdir+", EINVAL);
        k.refuse_fsconfig(FSCONFIG_SET_STRING, "lowerdir+", EINVAL);
        return mount_and_check(k, world(s.path()), s.path());
    });
    CHECK(out == "overlay at " + s.path() +
                     "/m: the kernel takes no layers by fd (fsconfig lowerdir+: Invalid "
                     "argument) nor one at a time (lowerdir+ as a path: Invalid argument); "
                     "giving the layers as one lowerdir= string\n"
                     "shown: rw,lowerdir=\n");
}

TEST_CASE("another error from a layer by fd is reported, not worked around") {
    require_root("mounts overlays in a private namespace");
    Scratch s;
    const std::string out = run_in_private([&] {
        FakeKernel k;
        k.refuse_fsconfig(FSCONFIG_SET_FD, "lowerdir+", EPERM);
        try {
            mount_and_check(k, world(s.path()), s.path());
        } catch (const std::system_error& e) {
            return std::string(e.what());
        }
        return std::string("mounted");
    });
    CHECK(out == "overlay at \"" + s.path() + "/m\": cannot set lowerdir+ \"" + s.path() +
                     "/a\" by fd: Operation not permitted");
}

TEST_CASE("a layer that is not a directory, or is missing, is named") {
    require_root("mounts overlays in a private namespace");
    Scratch s;
    // The error opening the layers of the world's spec once SPOIL changed it.
    auto open_error = [&](const std::function<void(OverlaySpec&)>& spoil) {
        return run_in_private([&] {
            LinuxKernel k;
            OverlaySpec spec = world(s.path());
            spoil(spec);
            SecureFs sfs(k);
            try {
                overlay_layers_open(k, sfs, spec, s / "m");
            } catch (const std::system_error& e) {
                return std::string(e.what());
            }
            return std::string("opened");
        });
    };
    CHECK(open_error([&](OverlaySpec& spec) { spec.lower[1] = s / "a/f"; }) ==
          "overlay at \"" + s.path() + "/m\": cannot open lower layer 2 \"" + s.path() +
              "/a/f\": Not a directory");
    CHECK(open_error([&](OverlaySpec& spec) { spec.work = s / "nowhere/w"; }) ==
          "overlay at \"" + s.path() + "/m\": cannot open workdir \"" + s.path() +
              "/nowhere/w\" at \"" + s.path() + "/nowhere\": No such file or directory");
}
