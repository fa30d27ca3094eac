// A throwaway world for running the real nsreconcile binary.
//
// A forked child (mntns::Child) enters a new mount namespace with
// "/" made private (so nothing it mounts reaches the host), mounts a tmpfs
// scratch at root() and builds a small snap system in it. It then makes the
// application namespace as snap-confine leaves it, with
// `unshare --mount=FILE --propagation slave true` on a private mount, and
// waits. The test process stays in the host's namespace and reaches the two
// namespaces through the child: /proc/CHILD/root for files, setns for
// commands. When the Sandbox goes away, the child exits, its namespace and
// the application's die with every mount in them, and the scratch mount
// point is removed.
//
// The world (R = root(), the same path in both namespaces):
//   R/snap/provider/1/lib/marker    "provider 1"        read-only (a squashfs)
//   R/snap/provider/2/lib/marker    "provider 2"        read-only
//   R/snap/provider/2/etc/foo.conf  "foo.conf of provider 2"
//   R/snap/foo/1/bin/app            the application's own snap, read-only
//   R/base/{conf,share/doc,link->share}  a read-only base directory, mode 0751
//   R/var/snap/foo/common/          writable data of the application
//   R/var/snap/provider/common/tree/{top,inner/deep}   inner is its own tmpfs
//   R/victim/                       empty; nothing may ever be written there
//   R/ns/app.mnt                    the application namespace (R/ns is private)
//   R/state/                        desired.fstab, current.fstab, lock/app.lock
// R is a shared mount, so the application namespace's copies are its
// slaves, as a snap's namespace is of the host.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/no_copy.hpp"
#include "mntns/child.hpp"
#include "mountinfo/mount_table.hpp"
#include "tests/integration/report.hpp"
#include "tests/support/process.hpp"

namespace nsr::integration {

using nsr::test::Output;
using nsr::test::Process;

class Sandbox : base::NoCopy {
  public:
    // Fails the running test unless it runs as root; throws when the world
    // cannot be built.
    Sandbox();
    ~Sandbox();

    const std::string& root() const { return root_; }
    // R/REL.
    std::string path(const std::string& rel) const { return root_ + "/" + rel; }

    // Namespace files to run commands in: the sandbox's own (the "host side"
    // the tool starts in) and the application's.
    std::string outer_ns() const;
    std::string app_ns() const;
    // R/ns/app.mnt, as the tool is told.
    std::string ns_file() const { return path("ns/app.mnt"); }
    // Discards the application namespace, with every mount in it and
    // without any tool taking them down (as when its last process exits
    // and its file is unmounted), and binds a fresh one made as the first
    // was at the same file. Throws when that fails.
    void renew_app_namespace() const;

    // R/REL as the outer namespace sees it, for the test process (through
    // /proc/CHILD/root).
    std::string outside(const std::string& rel) const;
    void write_file(const std::string& rel, const std::string& text) const;
    std::optional<std::string> read_file(const std::string& rel) const;
    bool exists(const std::string& rel) const;

    // Commands.
    Output outer(const std::vector<std::string>& argv) const {
        return nsr::test::run(argv, {.ns_file = outer_ns()});
    }
    Output app(const std::vector<std::string>& argv) const {
        return nsr::test::run(argv, {.ns_file = app_ns()});
    }
    // A /bin/sh script in the application namespace.
    Output app_sh(const std::string& script) const { return app({"/bin/sh", "-c", script}); }

    // The profile files apply is pointed at.
    std::string desired_file() const { return path("state/desired.fstab"); }
    std::string current_file() const { return path("state/current.fstab"); }
    std::string lock_file() const { return path("state/lock/app.lock"); }
    void set_desired(const std::string& text) const { write_file("state/desired.fstab", text); }
    std::optional<std::string> current() const { return read_file("state/current.fstab"); }

    // `nsreconcile apply app` with --ns-file (NS_FILE, or ns_file() when
    // empty), --desired, --current and --lock set to this sandbox's, then
    // EXTRA, run from the outer namespace.
    Output apply(const std::vector<std::string>& extra = {}, const std::string& ns_file = "") const;
    // That apply run by `strace -qq STRACE_ARGS --`, which traces the tool's
    // own process only (it starts none): with "-e", "inject=SYSCALL:
    // signal=KILL:when=K" it is killed at the K-th call of SYSCALL, before
    // the call is made (status 137); with "-o", FILE the calls are listed.
    Output apply_traced(const std::vector<std::string>& strace_args,
                        const std::vector<std::string>& extra = {}) const;

    // `nsreconcile check app` on this sandbox's namespace and current
    // profile.
    Output check() const;

    // What `apply --json` did.
    struct Applied {
        int status;
        std::vector<ChangeReport> changes;  // its report, parsed
        std::string log;                    // stdout and stderr, for INFO()
    };
    // `apply --json` with DESIRED as the desired profile when it is given.
    // Output that is not a JSON report throws, with the output.
    Applied apply_json(const std::optional<std::string>& desired = std::nullopt) const;
    // A re-run of apply that finds all it would do done: exit 0, COUNT
    // changes, each an ACTION that is "already done". Checked as the running
    // test's assertions.
    void check_rerun_finds_all_done(size_t count, const std::string& action) const;

    // The mount tables of the two namespaces, as text and parsed.
    std::string app_mountinfo() const;
    std::vector<mountinfo::Mount> app_mounts() const;
    std::vector<mountinfo::Mount> outer_mounts() const;

  private:
    std::string root_;
    std::unique_ptr<mntns::Child> holder_;
};

// The mounts whose mount point is DIR, in the order the kernel lists them.
std::vector<mountinfo::Mount> mounts_at(const std::vector<mountinfo::Mount>& mounts,
                                        const std::string& dir);

}  // namespace nsr::integration
