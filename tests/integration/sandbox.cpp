#include "tests/integration/sandbox.hpp"

#include <fcntl.h>
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
#include <functional>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "base/error.hpp"
#include "mntns/cpu_pin.hpp"
#include "mntns/namespace.hpp"
#include "tests/support/files.hpp"

namespace nsr::integration {

namespace {

using nsr::test::write_file;

using nsr::base::check_sys;

// mkdir applies the umask; the world's modes must be exact.
void make_dir(const std::string& path, mode_t mode = 0755) {
    check_sys(::mkdir(path.c_str(), mode), "mkdir " + path);
    check_sys(::chmod(path.c_str(), mode), "chmod " + path);
}

void make_dirs(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec)
        throw std::system_error(ec, "mkdir -p " + path);
}

void make_symlink(const std::string& target, const std::string& path) {
    check_sys(::symlink(target.c_str(), path.c_str()), "symlink " + path);
}

// Mode 0711, unlike every directory in the world: a read-only bind of one
// of them has the tmpfs's type, source and options, and must not pass for
// a mimic's tmpfs, which takes the mode of the directory it covers.
void mount_tmpfs(const std::string& path) {
    check_sys(::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=16m,mode=0711"),
              "mount tmpfs on " + path);
}

// What a squashfs is for the tool: a read-only mount it cannot write to.
void read_only_bind(const std::string& path) {
    check_sys(::mount(path.c_str(), path.c_str(), nullptr, MS_BIND, nullptr), "bind " + path);
    check_sys(::mount(nullptr, path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr),
              "remount read-only " + path);
}

// snap-confine's way: binding a fresh namespace file follows the rule of
// mntns/cpu_pin.hpp (the caller is pinned; after EINVAL it tries again on
// the next CPU).
// RUN runs a command where the namespace is made (the sandbox's namespace).
void bind_app_namespace(const std::string& file, nsr::mntns::CpuPin& pin,
                        const std::function<Output(const std::vector<std::string>&)>& run) {
    for (int attempt = 0;; ++attempt) {
        pin.pin(attempt);
        Output o = run({"unshare", "--mount=" + file, "--propagation", "slave", "true"});
        if (o.status == 0)
            return;
        if (attempt < 20 && o.err.find(std::strerror(EINVAL)) != std::string::npos)
            continue;
        throw std::runtime_error("unshare --mount=" + file + " failed: " + o.err);
    }
}

void build_world(const std::string& r) {
    // The sandbox's namespace and the application's are made on one CPU,
    // so the first bind of the namespace file succeeds.
    nsr::mntns::CpuPin pin;
    pin.pin(0);
    nsr::mntns::unshare_mounts(nsr::mntns::Propagation::Private);
    mount_tmpfs(r);
    check_sys(::mount(nullptr, r.c_str(), nullptr, MS_SHARED, nullptr), "make " + r + " shared");

    make_dirs(r + "/snap/provider/1/lib");
    write_file(r + "/snap/provider/1/lib/marker", "provider 1");
    make_dirs(r + "/snap/provider/2/lib");
    write_file(r + "/snap/provider/2/lib/marker", "provider 2");
    make_dirs(r + "/snap/provider/2/etc");
    write_file(r + "/snap/provider/2/etc/foo.conf", "foo.conf of provider 2");
    make_dirs(r + "/snap/foo/1/bin");
    check_sys(::chmod((r + "/snap/foo/1").c_str(), 0755), "chmod " + r + "/snap/foo/1");
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
    check_sys(::mount(ns.c_str(), ns.c_str(), nullptr, MS_BIND, nullptr), "bind " + ns);
    check_sys(::mount(nullptr, ns.c_str(), nullptr, MS_PRIVATE, nullptr),
              "make " + ns + " private");
    write_file(ns + "/app.mnt", "");
    bind_app_namespace(ns + "/app.mnt", pin,
                       [](const std::vector<std::string>& argv) { return nsr::test::run(argv); });
}

}  // namespace

Sandbox::Sandbox() {
    REQUIRE_MESSAGE(::geteuid() == 0,
                    "needs root: the sandbox mounts in throwaway mount namespaces");
    char tmpl[] = "/tmp/nsr-it-XXXXXX";
    if (!::mkdtemp(tmpl))
        throw std::system_error(errno, std::generic_category(), "mkdtemp");
    root_ = std::filesystem::canonical(tmpl).string();
    // The child holds the namespaces until the sandbox goes away.
    holder_ = std::make_unique<nsr::mntns::Child>(
        [this] {
            build_world(root_);
            return std::string();
        },
        nsr::mntns::Child::Hold::UntilReleased, "the sandbox");
    try {
        holder_->result();
    } catch (const std::exception& e) {
        holder_.reset();
        ::rmdir(root_.c_str());
        throw std::runtime_error(std::string("cannot build the sandbox: ") + e.what());
    }
}

Sandbox::~Sandbox() {
    holder_.reset();
    // The host only ever saw an empty directory here: EBUSY or ENOTEMPTY
    // would mean something reached the host.
    const int rc = ::rmdir(root_.c_str());
    CHECK_MESSAGE(rc == 0, "cannot remove ", root_, ": ", std::string(std::strerror(errno)));
}

void Sandbox::renew_app_namespace() const {
    const Output o = outer({"umount", ns_file()});
    if (o.status != 0)
        throw std::runtime_error("cannot discard the application namespace: " + o.err);
    nsr::mntns::CpuPin pin;
    bind_app_namespace(ns_file(), pin,
                       [this](const std::vector<std::string>& argv) { return outer(argv); });
}

std::string Sandbox::outer_ns() const {
    return "/proc/" + std::to_string(holder_->pid()) + "/ns/mnt";
}

std::string Sandbox::app_ns() const {
    return outside("ns/app.mnt");
}

std::string Sandbox::outside(const std::string& rel) const {
    return "/proc/" + std::to_string(holder_->pid()) + "/root" + path(rel);
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

namespace {

std::vector<std::string> apply_argv(const Sandbox& sb, const std::vector<std::string>& extra,
                                    const std::string& ns_file) {
    std::vector<std::string> argv = {NSR_BINARY,
                                     "apply",
                                     "app",
                                     "--ns-file",
                                     ns_file.empty() ? sb.ns_file() : ns_file,
                                     "--desired",
                                     sb.desired_file(),
                                     "--current",
                                     sb.current_file(),
                                     "--lock",
                                     sb.lock_file()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

}  // namespace

Output Sandbox::apply(const std::vector<std::string>& extra, const std::string& ns_file) const {
    return outer(apply_argv(*this, extra, ns_file));
}

Output Sandbox::apply_traced(const std::vector<std::string>& strace_args,
                             const std::vector<std::string>& extra) const {
    // LeakSanitizer cannot run under ptrace and aborts the traced binary of
    // the ASan flavour at exit; the leak check is the untraced runs' job.
    std::vector<std::string> argv = {"strace", "-qq", "-E", "ASAN_OPTIONS=detect_leaks=0"};
    argv.insert(argv.end(), strace_args.begin(), strace_args.end());
    argv.push_back("--");
    for (std::string& a : apply_argv(*this, extra, ""))
        argv.push_back(std::move(a));
    return outer(argv);
}

Output Sandbox::check() const {
    return outer({NSR_BINARY, "check", "app", "--ns-file", ns_file(), "--current", current_file()});
}

Sandbox::Applied Sandbox::apply_json(const std::optional<std::string>& desired) const {
    if (desired)
        set_desired(*desired);
    const Output o = apply({"--json"});
    Applied a{o.status, {}, "stdout: " + o.out + "\nstderr: " + o.err};
    try {
        a.changes = parse_report(o.out);
    } catch (const std::exception& e) {
        throw std::runtime_error("apply printed no JSON report (" + std::string(e.what()) + ")\n" +
                                 a.log);
    }
    return a;
}

void Sandbox::check_rerun_finds_all_done(size_t count, const std::string& action) const {
    const auto again = apply_json();
    INFO("re-run: " << again.log);
    CHECK(again.status == 0);
    CHECK(again.changes.size() == count);
    for (const auto& c : again.changes) {
        CAPTURE(c.entry);
        CHECK(c.action == action);
        CHECK(c.outcome == "already done");
    }
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
