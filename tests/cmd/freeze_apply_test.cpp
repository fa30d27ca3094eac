// --freeze-cgroup during a real apply: the application's cgroup is frozen
// while the namespace changes and thawed after, on success, on a failed
// change and on SIGTERM. Mounts happen only in private namespaces.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <sstream>
#include <string>

#include "cmd/update_output.hpp"
#include "mntns/child.hpp"
#include "mntns/namespace.hpp"
#include "reconcile/system_context.hpp"
#include "tests/cmd/test_cgroup.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::test;
using namespace nsr::cmd::test;
using nsr::cmd::UpdateRequest;
using nsr::mntns::Child;

namespace {

bool is_mount_point(const std::string& dir) {
    struct stat here {};
    struct stat parent {};
    return ::stat(dir.c_str(), &here) == 0 && ::stat((dir + "/..").c_str(), &parent) == 0 &&
           here.st_dev != parent.st_dev;
}

// Makes S/target and desires a tmpfs there with OPTIONS; returns the entry.
std::string desire_tmpfs(const Scratch& s, const std::string& options) {
    REQUIRE(::mkdir((s / "target").c_str(), 0755) == 0);
    const std::string entry = "tmpfs " + s / "target" + " tmpfs " + options + " 0 0\n";
    write_file(s / "desired.fstab", entry);
    return entry;
}

// The system profile of the namespace the caller is in, with its files in
// S: apply's context, but without entering a namespace file.
class InPlaceContext : public nsr::reconcile::SystemContext {
  public:
    explicit InPlaceContext(const Scratch& s)
        : SystemContext({s / "app.mnt", s / "desired.fstab", s / "current.fstab", s / "app.lock"},
                        {.unrestricted = {s.path()}}, -1, nsr::reconcile::ProfileChecks::Lint) {}
    std::optional<nsr::reconcile::Inside> enter(
        const nsr::profile::MountProfile&, bool,
        const std::function<void(const std::string&)>&) override {
        return nsr::reconcile::Inside{};
    }
};

UpdateRequest request_freezing(const std::string& cgroup) {
    UpdateRequest req;
    req.freeze_cgroups = {cgroup};
    return req;
}

// Applies S's desired profile in a private namespace; returns, for the
// "froze" and "thawed" log lines, what the kernel said about the cgroup and
// whether S/target was a mount point at that moment, then the exit code.
std::string apply_watching(const Scratch& s, const TestCgroup& cg) {
    return nsr::mntns::run_in_private([&] {
        InPlaceContext ctx(s);
        UpdateRequest req = request_freezing(cg.path());
        std::string seen;
        req.options.debug = [&](const std::string& line) {
            const std::string word = line.substr(0, line.find(' '));
            if (word == "froze" || word == "thawed") {
                seen += word + ": frozen=" + (cg.frozen() ? "1" : "0") +
                        " mounted=" + (is_mount_point(s / "target") ? "1" : "0") + "\n";
            }
        };
        std::ostringstream out;
        const int rc = nsr::cmd::print_applied_update(ctx, req, out);
        return seen + "rc=" + std::to_string(rc) + "\n";
    });
}

}  // namespace

TEST_CASE("apply freezes the cgroup for the changes and thaws it after") {
    require_root("mounts and cgroups");
    TestCgroup cg(CgroupVersion::V2);
    Scratch s;
    desire_tmpfs(s, "mode=0755");
    CHECK(apply_watching(s, cg) ==
          "froze: frozen=1 mounted=0\n"
          "thawed: frozen=0 mounted=1\n"
          "rc=0\n");
    CHECK_FALSE(cg.frozen());
}

TEST_CASE("apply thaws the cgroup after a change fails") {
    require_root("mounts and cgroups");
    TestCgroup cg(CgroupVersion::V1);
    Scratch s;
    desire_tmpfs(s, "size=garbage");
    CHECK(apply_watching(s, cg) ==
          "froze: frozen=1 mounted=0\n"
          "thawed: frozen=0 mounted=0\n"
          "rc=1\n");
    CHECK_FALSE(cg.frozen());
}

TEST_CASE("apply does not freeze when every entry is kept") {
    require_root("mounts and cgroups");
    TestCgroup cg(CgroupVersion::V2);
    Scratch s;
    write_file(s / "current.fstab", desire_tmpfs(s, "mode=0755"));
    CHECK(apply_watching(s, cg) == "rc=0\n");
}

TEST_CASE("a dry run checks the cgroup path but freezes nothing") {
    require_root("cgroups");
    TestCgroup cg(CgroupVersion::V2);
    Scratch s;
    desire_tmpfs(s, "mode=0755");
    const std::string seen = nsr::mntns::run_in_private([&] {
        InPlaceContext ctx(s);
        UpdateRequest req = request_freezing(cg.path());
        std::string log;
        req.options.debug = [&](const std::string& line) { log += line + "\n"; };
        std::ostringstream out;
        const int rc = nsr::cmd::print_planned_update(ctx, req, out);
        req.freeze_cgroups = {s / "no-such-cgroup"};
        try {
            nsr::cmd::print_planned_update(ctx, req, out);
        } catch (const std::exception& e) {
            log += "exit " + std::to_string(nsr::cmd::exit_code_for(e)) + ": " + e.what() + "\n";
        }
        return log + "rc=" + std::to_string(rc) +
               " mounted=" + (is_mount_point(s / "target") ? "1" : "0") + "\n";
    });
    // The debug log also gives each planned change with its reason; it never
    // says anything was frozen.
    CHECK(seen.find("froze") == std::string::npos);
    CHECK(seen.ends_with("exit 2: cannot freeze " + s / "no-such-cgroup" +
                         ": No such file or directory\nrc=0 mounted=0\n"));
}

namespace {

// Applies S's desired profile in a private namespace from a child that
// stops in its debug log right after freezing CG, as if a change were
// taking long; sends it SIG there. Returns the child's wait status.
int signal_frozen_apply(const Scratch& s, const TestCgroup& cg, int sig) {
    Child child([&] {
        nsr::mntns::unshare_mounts(nsr::mntns::Propagation::Private);
        InPlaceContext ctx(s);
        UpdateRequest req = request_freezing(cg.path());
        req.options.debug = [](const std::string& line) {
            if (line.rfind("froze ", 0) == 0) {
                Child::send_result("F");
                for (;;)
                    ::pause();
            }
        };
        std::ostringstream out;
        nsr::cmd::print_applied_update(ctx, req, out);
        return std::string("the apply went through without freezing");
    });
    REQUIRE(child.result() == "F");
    CHECK(cg.frozen());
    REQUIRE(::kill(child.pid(), sig) == 0);
    return child.wait();
}

}  // namespace

TEST_CASE("SIGTERM in the middle of an apply thaws the cgroup, then ends the process") {
    require_root("mounts and cgroups");
    TestCgroup cg(CgroupVersion::V2);
    Scratch s;
    desire_tmpfs(s, "mode=0755");
    const int status = signal_frozen_apply(s, cg, SIGTERM);
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM));
    CHECK(eventually([&] { return !cg.frozen(); }));
}

TEST_CASE("SIGKILL in the middle of an apply: the guard process thaws the cgroup") {
    require_root("mounts and cgroups");
    TestCgroup cg(CgroupVersion::V2);
    Scratch s;
    desire_tmpfs(s, "mode=0755");
    // SIGKILL cannot be caught: only the guard can thaw.
    const int status = signal_frozen_apply(s, cg, SIGKILL);
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    CHECK(eventually([&] { return !cg.frozen(); }));
    // The guard held nothing of the run's: the namespace lock is free.
    const int lock = ::open((s / "app.lock").c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(lock >= 0);
    CHECK(eventually([&] { return ::flock(lock, LOCK_EX | LOCK_NB) == 0; }));
    ::close(lock);
}

// The real binary against a real namespace file: a private outer namespace
// holds a tmpfs RUN with the namespace file app.mnt in it; the paths come
// from the configuration file.
namespace {

// Returns everything the script printed: the binary's output, "rc=N", the
// type of what is mounted at RUN/target in the namespace and the saved
// current profile.
std::string apply_with_binary(const Scratch& s, const std::string& desired,
                              const std::string& cgroup) {
    const std::string run = s / "run";
    REQUIRE(::mkdir(run.c_str(), 0755) == 0);
    write_file(s / "app.fstab", desired);
    write_file(s / "config.yaml",
               "paths:\n"
               "  native:\n"
               "    ns-file: " +
                   run +
                   "/{name}.mnt\n"
                   "    desired: " +
                   s.path() +
                   "/{name}.fstab\n"
                   "    current: " +
                   run +
                   "/{name}.fstab\n"
                   "    lock: " +
                   run + "/{name}.lock\n");
    const std::string script =
        "set -e; run=\"$1\"; shift\n"
        "mount -t tmpfs tmpfs \"$run\"; mkdir \"$run/target\"; touch \"$run/app.mnt\"\n"
        // Binding a fresh namespace file fails the kernel's loop check when
        // the new namespace's id comes from an older per-CPU batch than the
        // caller's namespace: the outer namespace is made on the same CPU
        // (below), so the ids grow; retry as well.
        "i=0; until taskset -c 0 unshare --mount=\"$run/app.mnt\" --propagation private true; do\n"
        "  i=$((i+1)); [ $i -lt 50 ]; sleep 0.02; done\n"
        "set +e\n"
        "\"$@\"; echo \"rc=$?\"\n"
        "echo \"target: $(nsenter --mount=\"$run/app.mnt\" findmnt -n -o FSTYPE --mountpoint "
        "\"$run/target\")\"\n"
        "echo \"current: $(cat \"$run/app.fstab\")\"\n";
    return nsr::test::run({"taskset",
                           "-c",
                           "0",
                           "unshare",
                           "-m",
                           "--propagation",
                           "private",
                           "sh",
                           "-c",
                           script,
                           "sh",
                           run,
                           NSR_BINARY,
                           "apply",
                           "app",
                           "--config",
                           s / "config.yaml",
                           "--freeze-cgroup",
                           cgroup,
                           "-v"},
                          kMerged)
        .out;
}

// The binary's OUT logs freezing CG, then thawing it.
void check_froze_then_thawed(const std::string& out, const TestCgroup& cg) {
    const auto froze = out.find("debug: froze " + cg.path() + "\n");
    const auto thawed = out.find("debug: thawed " + cg.path() + "\n");
    CHECK(froze != std::string::npos);
    CHECK(thawed != std::string::npos);
    CHECK(froze < thawed);
}

}  // namespace

TEST_CASE("nsreconcile apply --freeze-cgroup freezes around a real apply") {
    require_root("mounts and cgroups");
    TestCgroup cg(CgroupVersion::V2);
    Scratch s;
    const auto out =
        apply_with_binary(s, "tmpfs " + s / "run/target" + " tmpfs mode=0755 0 0\n", cg.path());
    INFO(out);
    check_froze_then_thawed(out, cg);
    CHECK(out.find("rc=0\n") != std::string::npos);
    CHECK(out.find("target: tmpfs\n") != std::string::npos);
    CHECK(out.find("current: tmpfs " + s / "run/target" + " tmpfs mode=0755 0 0\n") !=
          std::string::npos);
    CHECK_FALSE(cg.frozen());
}

TEST_CASE("nsreconcile apply --freeze-cgroup thaws after a failed change") {
    require_root("mounts and cgroups");
    TestCgroup cg(CgroupVersion::V1);
    Scratch s;
    const auto out =
        apply_with_binary(s, "tmpfs " + s / "run/target" + " tmpfs size=garbage 0 0\n", cg.path());
    INFO(out);
    check_froze_then_thawed(out, cg);
    CHECK(out.find("rc=1\n") != std::string::npos);
    CHECK(out.find("target: \n") != std::string::npos);
    CHECK_FALSE(cg.frozen());
}

TEST_CASE("nsreconcile apply with a missing --freeze-cgroup exits 2 and changes nothing") {
    Scratch s;
    write_file(s / "desired.fstab", "");
    const auto r = run_binary(
        {"apply", "app", "--ns-file", s / "app.mnt", "--desired", s / "desired.fstab", "--current",
         s / "current.fstab", "--lock", s / "app.lock", "--freeze-cgroup", s / "nope"},
        kMerged);
    CHECK(r.status == 2);
    CHECK(r.out == "nsreconcile: cannot freeze " + s / "nope" + ": No such file or directory\n");
}
