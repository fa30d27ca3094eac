#include "reconcile/kernel.hpp"

#include <unistd.h>

#include <doctest/doctest.h>

#include <dirent.h>
#include <linux/openat2.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using nsr::base::Fd;
using nsr::test::Scratch;

TEST_CASE("LinuxKernel::readlinkat reads targets longer than its first buffer") {
    Scratch s;
    const std::string target(3000, 'x');
    std::filesystem::create_symlink(target, s / "long");
    LinuxKernel k;
    std::string got;
    CHECK(k.readlinkat(AT_FDCWD, (s / "long").c_str(), got) == 0);
    CHECK(got == target);
    CHECK(k.readlinkat(AT_FDCWD, (s / "missing").c_str(), got) == -ENOENT);
}

namespace {

// The unique mount id of the mount at PATH, as statx tells it.
uint64_t unique_mount_id(LinuxKernel& k, const char* path) {
    struct statx st {};
    REQUIRE(k.statx(AT_FDCWD, path, 0, STATX_MNT_ID_UNIQUE, &st) == 0);
    REQUIRE_MESSAGE((st.stx_mask & STATX_MNT_ID_UNIQUE) != 0, "needs Linux 6.8 (unique mount ids)");
    return st.stx_mnt_id;
}

}  // namespace

TEST_CASE("LinuxKernel::statx gives unique mount ids that tell two mounts apart") {
    LinuxKernel k;
    CHECK(unique_mount_id(k, "/") != unique_mount_id(k, "/proc"));
    struct statx st {};
    CHECK(k.statx(AT_FDCWD, "/nonexistent-nsr-path", 0, STATX_MNT_ID_UNIQUE, &st) == -ENOENT);
}

TEST_CASE("LinuxKernel::statmount tells a mount's mount point, filesystem and parent") {
    LinuxKernel k;
    const uint64_t proc = unique_mount_id(k, "/proc");
    const uint64_t root = unique_mount_id(k, "/");
    // A small buffer first: the call must grow it to fit the strings.
    std::vector<char> buf(8);
    const int rc =
        k.statmount(proc, kStatmountMntBasic | kStatmountMntPoint | kStatmountFsType, buf);
    REQUIRE_MESSAGE(rc != -ENOSYS, "needs Linux 6.8 (statmount)");
    REQUIRE(rc == 0);
    StatmountHead h;
    std::memcpy(&h, buf.data(), sizeof h);
    REQUIRE((h.mask & kStatmountMntPoint) != 0);
    CHECK(std::string(buf.data() + sizeof h + h.mnt_point) == "/proc");
    CHECK(std::string(buf.data() + sizeof h + h.fs_type) == "proc");
    CHECK(h.mnt_id == proc);
    CHECK(h.mnt_parent_id == root);
    // Unique ids grow and are never reused: this one names no mount yet.
    CHECK(k.statmount(proc + (uint64_t{1} << 40), kStatmountMntBasic, buf) == -ENOENT);
}

TEST_CASE("LinuxKernel::read_dir lists every entry but . and .., over several reads") {
    Scratch s;
    std::set<std::string> made;
    for (int i = 0; i < 1500; ++i) {
        const std::string name = "entry-with-a-longish-name-" + std::to_string(i);
        std::ofstream(s / name) << "";
        made.insert(name);
    }
    std::filesystem::create_directory(s / "dir");
    LinuxKernel k;
    Fd dir(k.openat(AT_FDCWD, s.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dir);
    std::vector<DirEntry> entries;
    REQUIRE(k.read_dir(dir.get(), entries) == 0);
    std::set<std::string> listed;
    for (const auto& e : entries) {
        listed.insert(e.name);
        CHECK(e.type == (e.name == "dir" ? DT_DIR : DT_REG));
    }
    made.insert("dir");
    CHECK(listed == made);
    CHECK(entries.size() == made.size());
    Fd path_only(k.openat(AT_FDCWD, s.path().c_str(), O_PATH | O_CLOEXEC));
    CHECK(k.read_dir(path_only.get(), entries) == -EBADF);
}

TEST_CASE("LinuxKernel::openat2 refuses a symlink anywhere in the path") {
    Scratch s;
    std::filesystem::create_directory(s / "real");
    std::filesystem::create_directory_symlink(s / "real", s / "link");
    LinuxKernel k;
    const uint64_t resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const int fd = k.openat2(AT_FDCWD, (s / "real").c_str(), O_PATH | O_CLOEXEC, 0, resolve);
    REQUIRE_MESSAGE(fd != -ENOSYS, "needs Linux 5.6 (openat2)");
    CHECK(fd >= 0);
    Fd owned(fd);
    CHECK(k.openat2(AT_FDCWD, (s / "link").c_str(), O_PATH | O_CLOEXEC, 0, resolve) == -ELOOP);
}

TEST_CASE("LinuxKernel returns -errno instead of -1") {
    LinuxKernel k;
    CHECK(k.mkdirat(AT_FDCWD, "/proc/self", 0755) == -EEXIST);
    CHECK(k.umount2("/nonexistent-nsr-path", 0) == -ENOENT);
}
