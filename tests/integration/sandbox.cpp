#include "tests/integration/sandbox.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "tests/support/fd_io.hpp"
#include "tests/support/files.hpp"

namespace nsr::integration {

namespace {

using nsr::test::write_file;

void check(int rc, const std::string& what) {
    if (rc != 0)
        throw std::system_error(errno, std::generic_category(), what);
}

// mkdir applies the umask; the world's modes must be exact.
void make_dir(const std::string& path, mode_t mode = 0755) {
    check(::mkdir(path.c_str(), mode), "mkdir " + path);
    check(::chmod(path.c_str(), mode), "chmod " + path);
}

void make_dirs(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec)
        throw std::system_error(ec, "mkdir -p " + path);
}

void make_symlink(const std::string& target, const std::string& path) {
    check(::symlink(target.c_str(), path.c_str()), "symlink " + path);
}

// Mode 0711, unlike every directory in the world: a read-only bind of one
// of them has the tmpfs's type, source and options, and must not pass for
// a mimic's tmpfs, which takes the mode of the directory it covers.
void mount_tmpfs(const std::string& path) {
    check(::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=16m,mode=0711"),
          "mount tmpfs on " + path);
}

// What a squashfs is for the tool: a read-only mount it cannot write to.
void read_only_bind(const std::string& path) {
    check(::mount(path.c_str(), path.c_str(), nullptr, MS_BIND, nullptr), "bind " + path);
    check(::mount(nullptr, path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr),
          "remount read-only " + path);
}

// snap-confine's way, with the care the kernel needs (DESIGN.md): binding
// a fresh namespace file fails with EINVAL now and then when namespace ids
// come from different CPUs' batches, so the caller is pinned to one CPU
// and a failure with EINVAL is retried.
void make_app_namespace(const std::string& file) {
    write_file(file, "");
    for (int attempt = 1;; ++attempt) {
        Output o = nsr::test::run({"unshare", "--mount=" + file, "--propagation", "slave", "true"});
        if (o.status == 0)
            return;
        if (attempt < 20 && o.err.find(std::strerror(EINVAL)) != std::string::npos)
            continue;
        throw std::runtime_error("unshare --mount=" + file + " failed: " + o.err);
    }
}

void build_world(const std::string& r) {
    cpu_set_t all;
    check(::sched_getaffinity(0, sizeof all, &all), "sched_getaffinity");
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(::sched_getcpu(), &one);
    check(::sched_setaffinity(0, sizeof one, &one), "sched_setaffinity");

    check(::unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
    check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make / private");
    mount_tmpfs(r);
    check(::mount(nullptr, r.c_str(), nullptr, MS_SHARED, nullptr), "make " + r + " shared");

    make_dirs(r + "/snap/provider/1/lib");
    write_file(r + "/snap/provider/1/lib/marker", "provider 1");
    make_dirs(r + "/snap/provider/2/lib");
    write_file(r + "/snap/provider/2/lib/marker", "provider 2");
    make_dirs(r + "/snap/provider/2/etc");
    write_file(r + "/snap/provider/2/etc/foo.conf", "foo.conf of provider 2");
    make_dirs(r + "/snap/foo/1/bin");
    check(::chmod((r + "/snap/foo/1").c_str(), 0755), "chmod " + r + "/snap/foo/1");
    write_file(r + "/snap/foo/1/bin/app", "app");
    make_dir(r + "/base", 0751);
    write_file(r + "/base/conf", "base conf");
    make_dir(r + "/base/share");
    write_file(r + "/base/share/doc", "base doc");
    make_symlink("share", r + "/base/link");
    make_dirs(r + "/var/snap/foo/common");
    make_dirs(r + "/var/snap/provider/common/tree/inner");
    write_file(r + "/var/snap/provider/common/tree/top", "top");
    mount_tmpfs(r + "/var/snap/provider/common/tree/inner");
    write_file(r + "/var/snap/provider/common/tree/inner/deep", "deep");
    make_dir(r + "/victim");
    make_dirs(r + "/state/lock");
    make_dir(r + "/ns");

    for (const char* snap : {"/snap/provider/1", "/snap/provider/2", "/snap/foo/1", "/base"})
        read_only_bind(r + snap);
    // The namespace file's directory must not propagate into the namespace
    // it holds (the kernel refuses the loop).
    const std::string ns = r + "/ns";
    check(::mount(ns.c_str(), ns.c_str(), nullptr, MS_BIND, nullptr), "bind " + ns);
    check(::mount(nullptr, ns.c_str(), nullptr, MS_PRIVATE, nullptr), "make " + ns + " private");
    make_app_namespace(ns + "/app.mnt");

    check(::sched_setaffinity(0, sizeof all, &all), "sched_setaffinity");
}

[[noreturn]] void child_main(const std::string& root, int status_fd, int control_fd) {
    std::string status = "ok";
    try {
        build_world(root);
    } catch (const std::exception& e) {
        status = e.what();
    }
    if (::write(status_fd, status.data(), status.size()) < 0 || status != "ok")
        ::_exit(1);
    ::close(status_fd);
    // Holds the namespace until the test process closes its end (or dies).
    char c;
    while (::read(control_fd, &c, 1) < 0 && errno == EINTR) {
    }
    // No exit handlers: they belong to the test process.
    ::_exit(0);
}

}  // namespace

Sandbox::Sandbox() {
    REQUIRE_MESSAGE(::geteuid() == 0,
                    "needs root: the sandbox mounts in throwaway mount namespaces");
    char tmpl[] = "/tmp/nsr-it-XXXXXX";
    if (!::mkdtemp(tmpl))
        throw std::system_error(errno, std::generic_category(), "mkdtemp");
    root_ = std::filesystem::canonical(tmpl).string();
    int status[2];
    int control[2];
    check(::pipe2(status, O_CLOEXEC), "pipe2");
    check(::pipe2(control, O_CLOEXEC), "pipe2");
    child_ = ::fork();
    if (child_ < 0)
        throw std::system_error(errno, std::generic_category(), "fork");
    if (child_ == 0) {
        ::close(status[0]);
        ::close(control[1]);
        child_main(root_, status[1], control[0]);
    }
    ::close(status[1]);
    ::close(control[0]);
    control_ = control[1];
    const std::string ready = nsr::test::read_all(status[0]);
    ::close(status[0]);
    if (ready != "ok") {
        ::close(control_);
        ::waitpid(child_, nullptr, 0);
        ::rmdir(root_.c_str());
        throw std::runtime_error("cannot build the sandbox: " + ready);
    }
}

Sandbox::~Sandbox() {
    ::close(control_);
    ::waitpid(child_, nullptr, 0);
    // The host only ever saw an empty directory here: EBUSY or ENOTEMPTY
    // would mean something reached the host.
    const int rc = ::rmdir(root_.c_str());
    CHECK_MESSAGE(rc == 0, "cannot remove ", root_, ": ", std::strerror(errno));
}

std::string Sandbox::outer_ns() const {
    return "/proc/" + std::to_string(child_) + "/ns/mnt";
}

std::string Sandbox::app_ns() const {
    return outside("ns/app.mnt");
}

std::string Sandbox::outside(const std::string& rel) const {
    return "/proc/" + std::to_string(child_) + "/root" + path(rel);
}

void Sandbox::write_file(const std::string& rel, const std::string& text) const {
    nsr::test::write_file(outside(rel), text);
}

std::optional<std::string> Sandbox::read_file(const std::string& rel) const {
    std::ifstream f(outside(rel));
    if (!f)
        return std::nullopt;
    std::ostringstream text;
    text << f.rdbuf();
    return text.str();
}

bool Sandbox::exists(const std::string& rel) const {
    struct stat st {};
    return ::lstat(outside(rel).c_str(), &st) == 0;
}

Output Sandbox::apply(const std::vector<std::string>& extra, const std::string& ns_file) const {
    std::vector<std::string> argv = {NSR_BINARY,
                                     "apply",
                                     "app",
                                     "--ns-file",
                                     ns_file.empty() ? this->ns_file() : ns_file,
                                     "--desired",
                                     desired_file(),
                                     "--current",
                                     current_file(),
                                     "--lock",
                                     lock_file()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return outer(argv);
}

std::string Sandbox::app_mountinfo() const {
    Output o = app({"cat", "/proc/self/mountinfo"});
    if (o.status != 0)
        throw std::runtime_error("cannot read the application's mount table: " + o.err);
    return o.out;
}

std::vector<mountinfo::Mount> Sandbox::app_mounts() const {
    return mountinfo::parse_mountinfo(app_mountinfo(), "application mountinfo");
}

std::vector<mountinfo::Mount> Sandbox::outer_mounts() const {
    Output o = outer({"cat", "/proc/self/mountinfo"});
    if (o.status != 0)
        throw std::runtime_error("cannot read the sandbox's mount table: " + o.err);
    return mountinfo::parse_mountinfo(o.out, "sandbox mountinfo");
}

std::vector<mountinfo::Mount> mounts_at(const std::vector<mountinfo::Mount>& mounts,
                                        const std::string& dir) {
    std::vector<mountinfo::Mount> at;
    for (const auto& m : mounts) {
        if (m.mount_point == dir)
            at.push_back(m);
    }
    return at;
}

}  // namespace nsr::integration
