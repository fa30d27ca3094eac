#include "reconcile/secure_fs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "base/fd.hpp"
#include "mntns/namespace.hpp"
#include "tests/reconcile/fake_kernel.hpp"
#include "tests/support/scratch.hpp"

namespace fs = std::filesystem;
using namespace nsr::reconcile;
using nsr::base::Fd;
using nsr::test::Scratch;

namespace {

struct stat lstat_of(const std::string& path) {
    struct stat st {};
    REQUIRE_MESSAGE(::lstat(path.c_str(), &st) == 0, "lstat ", path, ": ", std::strerror(errno));
    return st;
}

bool same_object(int fd, const std::string& path) {
    struct stat a {};
    REQUIRE(::fstat(fd, &a) == 0);
    struct stat b = lstat_of(path);
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void touch(const std::string& path, const std::string& content = "") {
    std::ofstream(path) << content;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The errno of a std::system_error thrown by F, or 0 when F did not throw it.
template <typename F>
int system_errno(F&& f, std::string& what) {
    try {
        f();
    } catch (const std::system_error& e) {
        what = e.what();
        return e.code().value();
    }
    return 0;
}

// Owned by whoever runs the test, so creating needs no privilege.
CreateOptions mine() {
    CreateOptions opts;
    opts.uid = ::geteuid();
    opts.gid = ::getegid();
    return opts;
}

// The directories the restriction check saw while MAKE ran, with the
// creation options mine() and CHECK_WALKED_DIRS.
std::vector<std::string> checked_dirs(
    const std::function<void(SecureFs&, const CreateOptions&)>& make,
    bool check_walked_dirs = true) {
    LinuxKernel k;
    SecureFs sfs(k);
    std::vector<std::string> dirs;
    CreateOptions opts = mine();
    opts.check_walked_dirs = check_walked_dirs;
    opts.check = [&](int, const std::string& dir, const std::string&) { dirs.push_back(dir); };
    make(sfs, opts);
    return dirs;
}

}  // namespace

TEST_CASE("open_path opens a plain path and refuses symlinks anywhere in it") {
    Scratch s;
    fs::create_directories(s / "real/dir");
    fs::create_directory_symlink(s / "real", s / "link");
    LinuxKernel k;
    SecureFs sfs(k);

    Fd fd = sfs.open_path(s / "real/dir");
    CHECK(same_object(fd.get(), s / "real/dir"));

    std::string what;
    CHECK(system_errno([&] { sfs.open_path(s / "link/dir"); }, what) == ELOOP);
    CHECK(what.find("\"" + (s / "link") + "\" is a symbolic link") != std::string::npos);
    CHECK(what.find(s / "link/dir") != std::string::npos);

    CHECK(system_errno([&] { sfs.open_path(s / "link"); }, what) == ELOOP);
    CHECK(what.rfind("\"" + (s / "link") + "\" is a symbolic link", 0) == 0);

    Fd out;
    CHECK(sfs.try_open_path(s / "link/dir", out) == -ELOOP);
    CHECK(sfs.try_open_path(s / "link", out) == -ELOOP);
    CHECK(sfs.try_open_path(s / "missing", out) == -ENOENT);
    CHECK_FALSE(out);
}

TEST_CASE("open_path refuses relative and unclean paths") {
    LinuxKernel k;
    SecureFs sfs(k);
    Fd out;
    for (const char* bad : {"", "tmp", "/tmp/", "/tmp//x", "/tmp/./x", "/tmp/../x"}) {
        CAPTURE(bad);
        CHECK(sfs.try_open_path(bad, out) == -EINVAL);
        std::string what;
        CHECK(system_errno([&] { sfs.open_path(bad); }, what) == EINVAL);
    }
    Fd root = sfs.open_path("/");
    CHECK(same_object(root.get(), "/"));
}

TEST_CASE("make_dirs gives created directories the exact mode and owner") {
    nsr::test::require_root("chown to another uid");
    Scratch s;
    fs::create_directory(s / "old");
    ::chmod((s / "old").c_str(), 0711);
    nsr::test::UmaskGuard mask(027);
    LinuxKernel k;
    SecureFs sfs(k);
    CreateOptions opts;
    opts.mode = 0775;
    opts.uid = 1234;
    opts.gid = 5678;

    Fd fd = sfs.make_dirs(s / "old/a/b", opts);
    CHECK(same_object(fd.get(), s / "old/a/b"));
    for (const char* made : {"old/a", "old/a/b"}) {
        CAPTURE(made);
        struct stat st = lstat_of(s / made);
        CHECK(S_ISDIR(st.st_mode));
        CHECK((st.st_mode & 07777) == 0775);
        CHECK(st.st_uid == 1234u);
        CHECK(st.st_gid == 5678u);
    }
    struct stat old = lstat_of(s / "old");
    CHECK((old.st_mode & 07777) == 0711);
    CHECK(old.st_uid == 0u);

    // A second run finds everything in place and changes nothing.
    opts.mode = 0700;
    opts.uid = 42;
    sfs.make_dirs(s / "old/a/b", opts);
    struct stat again = lstat_of(s / "old/a/b");
    CHECK((again.st_mode & 07777) == 0775);
    CHECK(again.st_uid == 1234u);
}

TEST_CASE("the leaf's mode and owner go to the object made, the base ones to the way there") {
    nsr::test::require_root("chown to another uid");
    Scratch s;
    nsr::test::UmaskGuard mask(027);
    LinuxKernel k;
    SecureFs sfs(k);
    CreateOptions opts;
    opts.leaf_mode = 0750;
    opts.leaf_uid = 1234;
    opts.leaf_gid = 5678;
    sfs.make_dirs(s / "d/a/b", opts);
    sfs.make_file(s / "f/a/file", opts);
    sfs.make_symlink(s / "l/a/link", "target", opts);
    for (const char* way : {"d", "d/a", "f", "f/a", "l", "l/a"}) {
        CAPTURE(way);
        struct stat st = lstat_of(s / way);
        CHECK((st.st_mode & 07777) == 0755);
        CHECK(st.st_uid == 0u);
        CHECK(st.st_gid == 0u);
    }
    for (const char* leaf : {"d/a/b", "f/a/file", "l/a/link"}) {
        CAPTURE(leaf);
        struct stat st = lstat_of(s / leaf);
        if (!S_ISLNK(st.st_mode))
            CHECK((st.st_mode & 07777) == 0750);
        CHECK(st.st_uid == 1234u);
        CHECK(st.st_gid == 5678u);
    }
}

TEST_CASE("make_dirs refuses a planted symlink and creates nothing behind it") {
    Scratch s;
    fs::create_directory(s / "target");
    fs::create_directory_symlink(s / "target", s / "plant");
    fs::create_symlink(s / "nowhere", s / "dangling");
    LinuxKernel k;
    SecureFs sfs(k);

    std::string what;
    CHECK(system_errno([&] { sfs.make_dirs(s / "plant/x/y", mine()); }, what) == ELOOP);
    CHECK(what.find("\"" + (s / "plant") + "\" is a symbolic link") != std::string::npos);
    CHECK(fs::is_empty(s / "target"));

    CHECK(system_errno([&] { sfs.make_dirs(s / "plant", mine()); }, what) == ELOOP);
    CHECK(system_errno([&] { sfs.make_dirs(s / "dangling/x", mine()); }, what) == ELOOP);
    CHECK_FALSE(fs::exists(fs::symlink_status(s / "nowhere")));
    CHECK(fs::is_symlink(s / "dangling"));
}

TEST_CASE("make_dirs rejects relative and unclean paths before touching anything") {
    FakeKernel k;
    SecureFs sfs(k);
    std::string what;
    CHECK(system_errno([&] { sfs.make_dirs("tmp/x", mine()); }, what) == EINVAL);
    CHECK(what.find("relative path") != std::string::npos);
    CHECK(system_errno([&] { sfs.make_dirs("/tmp//x", mine()); }, what) == EINVAL);
    CHECK(what.find("cannot split unclean path \"/tmp//x\"") != std::string::npos);
    CHECK(system_errno([&] { sfs.make_file("/", mine()); }, what) == EINVAL);
    CHECK(system_errno([&] { sfs.make_symlink("/", "x", mine()); }, what) == EINVAL);
    CHECK(k.calls().empty());
}

TEST_CASE("creating under a read-only mount reports the read-only directory") {
    nsr::test::require_root("mounting a tmpfs and a read-only bind mount");
    Scratch s;
    const std::string ro = s / "ro";
    std::string report = nsr::mntns::run_in_private([&]() -> std::string {
        LinuxKernel k;
        if (k.mount("tmpfs", s.path().c_str(), "tmpfs", 0, "mode=0755") < 0)
            return "child failed: cannot mount tmpfs";
        fs::create_directories(s / "src/existing");
        fs::create_directory(ro);
        if (k.mount((s / "src").c_str(), ro.c_str(), nullptr, MS_BIND, nullptr) < 0 ||
            k.mount(nullptr, ro.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0)
            return "child failed: cannot bind-mount read-only";
        SecureFs sfs(k);
        std::string out;
        auto attempt = [&](const char* name, auto&& f) {
            out += name;
            try {
                f();
                out += " ok\n";
            } catch (const WriteRefused& e) {
                out += " rofs " + e.where() + "\n";
            } catch (const std::exception& e) {
                out += std::string(" error ") + e.what() + "\n";
            }
        };
        attempt("dirs", [&] { sfs.make_dirs(ro + "/x/y", mine()); });
        attempt("file", [&] { sfs.make_file(ro + "/f", mine()); });
        attempt("symlink", [&] { sfs.make_symlink(ro + "/l", "t", mine()); });
        attempt("existing", [&] { sfs.make_dirs(ro + "/existing", mine()); });
        return out;
    });
    CHECK(report ==
          "dirs rofs " + ro + "\nfile rofs " + ro + "\nsymlink rofs " + ro + "\nexisting ok\n");
}

TEST_CASE("the restriction check sees every existing parent and nothing below a new directory") {
    Scratch s;
    fs::create_directory(s / "exists");
    LinuxKernel k;
    SecureFs sfs(k);
    std::vector<std::string> dirs;
    const std::string desired = s / "exists/new/deeper";
    CreateOptions opts = mine();
    opts.check = [&](int dirfd, const std::string& dir, const std::string& want) {
        CHECK(same_object(dirfd, dir));
        CHECK(want == desired);
        dirs.push_back(dir);
    };

    sfs.make_dirs(desired, opts);

    std::vector<std::string> expected{"/"};
    for (fs::path p = "/"; const auto& part : fs::path(s / "exists").relative_path()) {
        p /= part;
        expected.push_back(p.string());
    }
    CHECK(dirs == expected);
}

TEST_CASE("without check_walked_dirs only the directories written into are checked") {
    Scratch s;
    fs::create_directory(s / "exists");
    // "new" is made in "exists"; below it everything is this walk's own.
    const auto make = [&](const std::string& path) {
        return checked_dirs([&](SecureFs& sfs, const CreateOptions& o) { sfs.make_dirs(path, o); },
                            false);
    };
    CHECK(make(s / "exists/new/deeper") == std::vector<std::string>{s / "exists"});
    CHECK(make(s / "exists/new").empty());
}

TEST_CASE("the restriction check runs before the leaf of a file or symlink") {
    Scratch s;
    fs::create_directory(s / "d");
    const auto file =
        checked_dirs([&](SecureFs& sfs, const CreateOptions& o) { sfs.make_file(s / "d/f", o); });
    REQUIRE_FALSE(file.empty());
    CHECK(file.back() == s / "d");
    const auto link = checked_dirs(
        [&](SecureFs& sfs, const CreateOptions& o) { sfs.make_symlink(s / "d/l", "f", o); });
    REQUIRE_FALSE(link.empty());
    CHECK(link.back() == s / "d");
}

TEST_CASE("a WriteRefused from the check propagates and nothing is created") {
    Scratch s;
    LinuxKernel k;
    SecureFs sfs(k);
    CreateOptions opts = mine();
    opts.check = [&](int, const std::string& dir, const std::string& want) {
        if (dir == s.path())
            throw WriteRefused(dir, "refused for " + want);
    };
    try {
        sfs.make_dirs(s / "n1/n2", opts);
        FAIL("make_dirs did not throw");
    } catch (const WriteRefused& e) {
        CHECK(e.where() == s.path());
        CHECK(std::string(e.what()) == "refused for " + s / "n1/n2");
    }
    CHECK_THROWS_AS(sfs.make_file(s / "f", opts), WriteRefused);
    CHECK_THROWS_AS(sfs.make_symlink(s / "l", "t", opts), WriteRefused);
    CHECK(fs::is_empty(s.path()));
}

TEST_CASE("make_file creates a file with the exact mode and keeps an existing one") {
    Scratch s;
    nsr::test::UmaskGuard mask(077);
    LinuxKernel k;
    SecureFs sfs(k);
    CreateOptions opts = mine();
    opts.mode = 0755;

    Fd made = sfs.make_file(s / "d/new", opts);
    CHECK(same_object(made.get(), s / "d/new"));
    struct stat st = lstat_of(s / "d/new");
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 07777) == 0755);
    CHECK((lstat_of(s / "d").st_mode & 07777) == 0755);

    touch(s / "d/old", "content");
    Fd old = sfs.make_file(s / "d/old", opts);
    CHECK(same_object(old.get(), s / "d/old"));
    CHECK(slurp(s / "d/old") == "content");
}

TEST_CASE("make_file refuses a directory or a symlink in the leaf's place") {
    Scratch s;
    fs::create_directory(s / "dir");
    fs::create_symlink(s / "elsewhere", s / "link");
    LinuxKernel k;
    SecureFs sfs(k);
    CHECK_THROWS_WITH(sfs.make_file(s / "dir", mine()),
                      ("cannot create file \"" + (s / "dir") + "\": not a regular file").c_str());
    CHECK_THROWS_WITH(sfs.make_file(s / "link", mine()),
                      ("cannot create file \"" + (s / "link") + "\": not a regular file").c_str());
    CHECK_FALSE(fs::exists(fs::symlink_status(s / "elsewhere")));
}

TEST_CASE("make_symlink is idempotent and refuses anything else in the way") {
    Scratch s;
    touch(s / "file");
    LinuxKernel k;
    SecureFs sfs(k);

    sfs.make_symlink(s / "d/l", "../file", mine());
    CHECK(fs::read_symlink(s / "d/l") == "../file");
    CHECK_NOTHROW(sfs.make_symlink(s / "d/l", "../file", mine()));
    CHECK_THROWS_WITH(sfs.make_symlink(s / "d/l", "other", mine()),
                      ("cannot create symlink \"" + (s / "d/l") +
                       "\": existing symbolic link in the way (it points to \"../file\")")
                          .c_str());
    CHECK_THROWS_WITH(
        sfs.make_symlink(s / "file", "x", mine()),
        ("cannot create symlink \"" + (s / "file") + "\": existing file in the way").c_str());
    CHECK(fs::read_symlink(s / "d/l") == "../file");
}

TEST_CASE("remove deletes an empty directory or a file, only through a safe parent") {
    Scratch s;
    fs::create_directories(s / "dir/full/x");
    touch(s / "dir/file");
    fs::create_directory_symlink(s / "dir", s / "link");
    LinuxKernel k;
    SecureFs sfs(k);

    CHECK(sfs.remove(s / "dir/full/x") == 0);
    CHECK(sfs.remove(s / "dir/file") == 0);
    CHECK_FALSE(fs::exists(s / "dir/full/x"));
    CHECK_FALSE(fs::exists(s / "dir/file"));

    fs::create_directory(s / "dir/full/x");
    CHECK(sfs.remove(s / "dir/full") == -ENOTEMPTY);
    CHECK(sfs.remove(s / "link/full/x") == -ELOOP);
    CHECK(fs::exists(s / "dir/full/x"));
    CHECK(sfs.remove(s / "dir/missing") == -ENOENT);
    CHECK(sfs.remove("/") == -EBUSY);
    CHECK(sfs.remove("rel") == -EINVAL);
}
