// Time of a provider refresh of N content binds (N = 1, 100, 1000), tucked
// (each new mount attached beneath the old one) and with --no-tuck (snapd's
// unmount-then-mount), alternating in one process run; prints a Markdown
// table. Runs the real nsreconcile binary in a private mount namespace.
//
//   tuck_refresh [RUNS]
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/measure.hpp"
#include "bench/private_run.hpp"
#include "mntns/child.hpp"
#include "mntns/namespace.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using nsr::test::write_file;

namespace {

using nsr::bench::median;

const std::vector<int> kEntries{1, 100, 1000};

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

void bind_ro(const std::string& src, const std::string& dst) {
    fs::create_directories(dst);
    if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0)
        fail("cannot bind " + src + " at " + dst);
    if (::mount(nullptr, dst.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
        fail("cannot make " + dst + " read-only");
}

std::string dir_name(int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "d%04d", i);
    return buf;
}

// One consumer with N content binds from a provider with two revisions,
// as on a snap system: the sources and the targets are on different
// (read-only) mounts.
struct Setup {
    int n;
    std::string root;

    std::string profile(int rev) const {
        std::string out;
        for (int i = 0; i < n; ++i) {
            out += root + "/snap/p/" + std::to_string(rev) + "/" + dir_name(i) + " " + root +
                   "/snap/app/1/" + dir_name(i) + " none bind,ro 0 0\n";
        }
        return out;
    }

    void build() const {
        for (int rev : {1, 2}) {
            const std::string img = root + "/img/p" + std::to_string(rev);
            for (int i = 0; i < n; ++i) {
                fs::create_directories(img + "/" + dir_name(i));
                write_file(img + "/" + dir_name(i) + "/version", "rev" + std::to_string(rev));
            }
            bind_ro(img, root + "/snap/p/" + std::to_string(rev));
        }
        for (int i = 0; i < n; ++i)
            fs::create_directories(root + "/img/app/" + dir_name(i));
        bind_ro(root + "/img/app", root + "/snap/app/1");
        fs::create_directories(root + "/state");
        write_file(root + "/state/current.fstab", "");
    }

    // Runs `nsreconcile apply` to revision REV; returns its wall time in ms.
    double apply(const std::string& ns_file, int rev, bool tuck) const {
        const std::string desired = root + "/state/desired-" + std::to_string(rev) + ".fstab";
        if (!fs::exists(desired))
            write_file(desired, profile(rev));
        std::vector<std::string> args{"apply",     "app",
                                      "--ns-file", ns_file,
                                      "--desired", desired,
                                      "--current", root + "/state/current.fstab",
                                      "--lock",    root + "/state/app.lock"};
        if (!tuck)
            args.push_back("--no-tuck");
        const auto start = std::chrono::steady_clock::now();
        const nsr::test::Output o = nsr::test::run_binary(args);
        const auto stop = std::chrono::steady_clock::now();
        if (o.status != 0) {
            throw std::runtime_error("nsreconcile apply failed for N=" + std::to_string(n) +
                                     ", status " + std::to_string(o.status) + ": " + o.err);
        }
        return std::chrono::duration<double, std::milli>(stop - start).count();
    }
};

void run(const std::string& root, int runs) {
    // Nothing mounted here reaches the host.
    nsr::mntns::unshare_mounts(nsr::mntns::Propagation::Private);
    if (::mount("tmpfs", root.c_str(), "tmpfs", 0, "mode=0755") != 0)
        fail("cannot mount a tmpfs at " + root);
    std::vector<Setup> setups;
    for (int n : kEntries) {
        setups.push_back({n, root + "/n" + std::to_string(n)});
        setups.back().build();
    }
    const std::string ns_file = root + "/app.mnt";
    nsr::mntns::bind_new(ns_file, nsr::mntns::Propagation::Private);

    std::printf(
        "A provider refresh of N content binds at once (revision 1 <-> 2, sources and targets "
        "on separate read-only mounts): wall time of one `nsreconcile apply`, median of %d runs "
        "each, tucked and `--no-tuck` alternating.\n\n",
        runs);
    std::printf("| N | tucked ms | --no-tuck ms | tucked / --no-tuck |\n|---:|---:|---:|---:|\n");
    for (const auto& s : setups) {
        s.apply(ns_file, 1, true);
        int rev = 1;
        std::vector<double> tucked, untucked;
        for (int i = 0; i < runs; ++i) {
            // Each refresh goes to the other revision; who goes first alternates.
            for (bool tuck : {i % 2 == 0, i % 2 != 0}) {
                rev = 3 - rev;
                (tuck ? tucked : untucked).push_back(s.apply(ns_file, rev, tuck));
            }
        }
        const double t = median(tucked), u = median(untucked);
        std::printf("| %d | %.2f | %.2f | %.2fx |\n", s.n, t, u, t / u);
    }
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 11;
    const std::string root = nsr::bench::scratch_dir("/tmp/nsr-bench-tuck-XXXXXX");
    // The namespaces are made in a child; its mounts vanish with it, and the
    // directory above, on the host, is left empty.
    const int rc = nsr::bench::run_private("tuck_refresh", [&] { run(root, runs); });
    ::rmdir(root.c_str());
    return rc;
}
