// What the volatile-overlay checks cost, against the other safe way to
// mount a used volatile pair again: throwing the upper away.
//
// In a private mount namespace, for an upper filesystem that is a tmpfs
// and one that is an ext4 image on disk (loop-mounted, the image in a
// scratch directory under /var/tmp), and for N files of 4 KiB in the upper
// dir (N = 0, 100, 2000), each round uses the pair as apply does (a
// volatile overlay made by overlay_build_guarded(), N files written
// through it, syncfs inside it, unmounted, the record completed), then
// times what makes the pair mountable again:
//   - checks, upper written out: VolatileGuard::prepare() deciding "reuse"
//     (the mount table read for the in-use check, the marker, the record,
//     the boot id, the identity, syncfs on the upper filesystem) and
//     removing the marker, the upper's files written out beforehand;
//   - checks, N files to write out: the same right after the unmount, so
//     that its syncfs writes the files out (the price of keeping them);
//   - discard: the upper and work dirs removed with everything in them and
//     made again empty.
// It also times the steps apply adds around the overlay's life: the record
// written after it is made, and the syncfs inside it plus the record
// before and after its unmount. Median of ROUNDS rounds (default 7).
//
//   volatile_reuse [ROUNDS]
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "bench/measure.hpp"
#include "bench/private_run.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/overlay_mount.hpp"
#include "reconcile/secure_fs.hpp"
#include "reconcile/volatile_evidence.hpp"
#include "reconcile/volatile_reuse.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using nsr::base::Fd;
using namespace nsr::reconcile;

namespace {

using nsr::bench::median;

const std::vector<int> kFiles{0, 100, 2000};
constexpr size_t kFileSize = 4096;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

void must(const std::vector<std::string>& argv) {
    const nsr::test::Output o = nsr::test::run(argv, {.timeout_sec = 300});
    if (o.status != 0)
        throw std::runtime_error(argv[0] + " failed: " + o.err + o.out);
}

using Clock = std::chrono::steady_clock;

double us_since(Clock::time_point start) {
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// One upper/work pair on the filesystem at FS_ROOT, a lower layer and a
// mount point on the scratch tmpfs at S, the records in S/run/volatile.
struct Pair {
    std::string s, fs_root;
    LinuxKernel k;
    SecureFs sfs{k};
    VolatileStore store;
    VolatileGuard guard;
    nsr::profile::MountEntry entry;
    nsr::profile::OverlaySpec spec;

    Pair(const std::string& scratch, const std::string& upper_fs)
        : s(scratch),
          fs_root(upper_fs),
          store(VolatileStore::open(scratch + "/run/volatile")),
          guard(k, sfs, store, boot_id_read(), [] { return std::time(nullptr); }, {}) {
        fs::create_directories(s + "/l");
        fs::create_directories(s + "/m");
        make_pair();
        const std::string line = "overlay " + s + "/m overlay lowerdir=" + s +
                                 "/l,upperdir=" + fs_root + "/u,workdir=" + fs_root +
                                 "/w,volatile 0 0\n";
        entry = nsr::profile::parse_profile(line, "bench").entries.at(0);
        spec = nsr::profile::overlay_spec_parse(entry);
    }

    void make_pair() const {
        fs::create_directory(fs_root + "/u");
        fs::create_directory(fs_root + "/w");
    }

    PairUser in_namespace() const {
        return [](const std::string& upper, const std::string& work) {
            return pair_user_in(nsr::mountinfo::MountTable::from_self(), upper, work);
        };
    }

    // Mounted as apply mounts it (checked, recorded), N files written
    // through it, then unmounted as apply unmounts it. Adds the time of the
    // record after the mount to MOUNTED and of the syncfs inside and the
    // records around the unmount to UNMOUNTED.
    void use(int n, std::vector<double>& mounted, std::vector<double>& unmounted) {
        guard.prepare(spec, s + "/m", in_namespace());
        {
            // Open fds of the mount would keep it busy at the unmount.
            auto [tree, proto] = overlay_build(k, sfs, entry, 0, {});
            const auto start = Clock::now();
            guard.mounted(spec);
            mounted.push_back(us_since(start));
            Fd target = sfs.open_path(s + "/m");
            if (k.move_mount(tree.get(), "", target.get(), "",
                             MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                fail("cannot attach the overlay");
        }
        const std::string block(kFileSize, 'x');
        for (int i = 0; i < n; ++i) {
            const std::string path = s + "/m/f" + std::to_string(i);
            Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
            if (!fd || ::write(fd.get(), block.data(), block.size()) != ssize_t(block.size()))
                fail("cannot write " + path);
        }
        auto start = Clock::now();
        int synced = 0;
        {
            Fd root(::open((s + "/m").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            synced = guard.sync_inside(root);
        }
        const double sync_us = us_since(start);
        if (::umount2((s + "/m").c_str(), 0) < 0)
            fail("cannot unmount the overlay");
        start = Clock::now();
        guard.unmounted(spec, synced);
        unmounted.push_back(sync_us + us_since(start));
    }

    // Writes the upper filesystem out.
    void sync_upper() const {
        Fd fd(::open((fs_root + "/u").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd || ::syncfs(fd.get()) < 0)
            fail("cannot sync " + fs_root);
    }

    double checks() {
        const auto start = Clock::now();
        const VolatileVerdict v = guard.prepare(spec, s + "/m", in_namespace());
        const double us = us_since(start);
        if (v.action != VolatileVerdict::Action::Reuse)
            throw std::runtime_error("the checks did not allow reuse: " + v.reason);
        return us;
    }

    double discard() const {
        const auto start = Clock::now();
        fs::remove_all(fs_root + "/u");
        fs::remove_all(fs_root + "/w");
        make_pair();
        return us_since(start);
    }
};

std::string ms(double us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", us / 1000);
    return buf;
}

void run(const std::string& s, const std::string& image, int rounds) {
    nsr::mntns::unshare_mounts(nsr::mntns::Propagation::Private);
    if (::mount("tmpfs", s.c_str(), "tmpfs", 0, "mode=0755") != 0)
        fail("cannot mount a tmpfs at " + s);
    fs::create_directories(s + "/tmpfs");
    if (::mount("tmpfs", (s + "/tmpfs").c_str(), "tmpfs", 0, "mode=0755") != 0)
        fail("cannot mount the upper tmpfs");
    fs::create_directories(s + "/ext4");
    must({"truncate", "-s", "512M", image});
    must({"mkfs.ext4", "-q", "-F", image});
    must({"mount", "-o", "loop", image, s + "/ext4"});

    std::printf(
        "Making a used volatile upper/work pair mountable again (ms, median of %d rounds): the "
        "checks that let it be reused, with its N files of %zu bytes already written out or "
        "still to write out, against discarding the upper.\n\n",
        rounds, kFileSize);
    std::printf(
        "| upper fs | N | checks, written out | checks, N files to write out | discard |\n"
        "|---|---:|---:|---:|---:|\n");
    std::vector<double> mounted, unmounted;
    for (const char* kind : {"tmpfs", "ext4"}) {
        Pair pair(s + "/" + kind + "-lab", s + "/" + kind);
        for (int n : kFiles) {
            std::vector<double> clean, dirty, discarded;
            for (int r = 0; r < rounds; ++r) {
                pair.use(n, mounted, unmounted);
                pair.sync_upper();
                clean.push_back(pair.checks());
                pair.use(n, mounted, unmounted);
                dirty.push_back(pair.checks());
                pair.use(n, mounted, unmounted);
                discarded.push_back(pair.discard());
            }
            std::printf("| %s | %d | %s | %s | %s |\n", kind, n, ms(median(clean)).c_str(),
                        ms(median(dirty)).c_str(), ms(median(discarded)).c_str());
        }
    }
    std::printf(
        "\nWhat apply adds around a volatile overlay's life (ms, median of all the rounds "
        "above): the record written once it is made, %s; the syncfs inside it and the record "
        "around its unmount, %s.\n",
        ms(median(mounted)).c_str(), ms(median(unmounted)).c_str());
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
    const std::string root = nsr::bench::scratch_dir("/var/tmp/nsr-bench-volatile-XXXXXX");
    const std::string image = root + ".img";
    const int rc = nsr::bench::run_private("volatile_reuse", [&] { run(root, image, rounds); });
    ::unlink(image.c_str());
    ::rmdir(root.c_str());
    return rc;
}
