// The configuration file: its schema and errors, the precedence of flags over
// the file over built-in defaults, and the binary using the file's paths.
#include "cmd/config.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "cmd/options.hpp"
#include "cmd/target.hpp"
#include "mntns/namespace.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"
#include "tests/support/thrown.hpp"

using namespace nsr::cmd;
using namespace nsr::test;
using nsr::mntns::run_in_private;

namespace {

std::string config_file(const Scratch& s, const std::string& text) {
    write_file(s / "config.yaml", text);
    return s / "config.yaml";
}

// A paths: section that sets every native path under /srv.
const std::string kNativePaths =
    "paths:\n"
    "  native:\n"
    "    ns-file: /srv/ns/{name}.mnt\n"
    "    desired: /srv/profiles/{name}.fstab\n"
    "    current: /srv/ns/{name}.fstab\n"
    "    lock: /srv/lock/{name}.lock\n";

std::string config_error(const std::string& path) {
    return nsr::test::thrown_message<UsageError>([&] { load_config(path); }, "no error");
}

// What a resolved target should hold.
struct Resolved {
    Layout layout;
    std::string ns_file, desired, current, lock;
    double lock_timeout;
    LogLevel log_level;
};

void check_target(const Target& t, const Resolved& want) {
    CHECK(t.settings.layout == want.layout);
    CHECK(t.paths.ns_file == want.ns_file);
    CHECK(t.paths.desired == want.desired);
    CHECK(t.paths.current == want.current);
    CHECK(t.paths.lock == want.lock);
    CHECK(t.settings.lock_timeout == want.lock_timeout);
    CHECK(t.settings.log_level == want.log_level);
}

Target resolve(const std::vector<std::string>& args) {
    auto vm = nsr::cmd::parse_command_line(args, nsr::cmd::target_options());
    return nsr::cmd::resolve_target(vm, "app");
}

}  // namespace

TEST_CASE("every key of the configuration file is read") {
    Scratch s;
    const auto path = config_file(s, "# nsreconcile\nlayout: snapd\n" + kNativePaths +
                                         "  snapd:\n"
                                         "    lock: /srv/snapd-lock/{name}.lock\n"
                                         "lock-timeout: 2.5\n"
                                         "log-level: debug\n");
    const Config c = load_config(path);
    CHECK(c.layout == Layout::Snapd);
    REQUIRE(c.paths.size() == 2);
    const auto& native = c.paths.at(Layout::Native);
    CHECK(native.ns_file == "/srv/ns/{name}.mnt");
    CHECK(native.desired == "/srv/profiles/{name}.fstab");
    CHECK(native.current == "/srv/ns/{name}.fstab");
    CHECK(native.lock == "/srv/lock/{name}.lock");
    const auto& snapd = c.paths.at(Layout::Snapd);
    CHECK_FALSE(snapd.ns_file);
    CHECK_FALSE(snapd.desired);
    CHECK_FALSE(snapd.current);
    CHECK(snapd.lock == "/srv/snapd-lock/{name}.lock");
    CHECK(c.lock_timeout == 2.5);
    CHECK(c.log_level == LogLevel::Debug);
}

TEST_CASE("an empty configuration file sets nothing") {
    Scratch s;
    for (const std::string text : {"", "# nothing here\n"}) {
        const Config c = load_config(config_file(s, text));
        CHECK_FALSE(c.layout);
        CHECK(c.paths.empty());
        CHECK_FALSE(c.lock_timeout);
        CHECK_FALSE(c.log_level);
    }
}

TEST_CASE("a missing default file is no configuration, a missing named file an error") {
    Scratch s;
    const std::string missing = s / "missing.yaml";
    const Config c = load_config(missing, true);
    CHECK_FALSE(c.layout);
    CHECK(c.paths.empty());
    CHECK(config_error(missing) == missing + ": cannot read: No such file or directory");
}

TEST_CASE("an unknown key is an error naming the key, the file and the line") {
    Scratch s;
    const std::string f = s / "config.yaml";
    config_file(s, "layout: native\nlog_level: debug\n");
    CHECK(config_error(f) == f + ":2: unknown key 'log_level' (expected one of: layout, "
                                 "lock-timeout, log-level, paths, writable)");
    config_file(s, "paths:\n  native:\n    ns-file: /a/{name}.mnt\n    ns-dir: /b\n");
    CHECK(config_error(f) ==
          f + ":4: unknown key 'paths.native.ns-dir' (expected one of: current, desired, lock, "
              "ns-file)");
    config_file(s, "paths:\n  host:\n    lock: /a/{name}.lock\n");
    CHECK(config_error(f) == f + ":2: unknown key 'paths.host' (expected one of: native, snapd)");
}

TEST_CASE("a value of the wrong type or out of range is an error naming the key") {
    Scratch s;
    const std::string f = s / "config.yaml";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"layout: [native]\n", ":1: layout must be native or snapd"},
        {"layout: nativ\n", ":1: layout: unknown layout 'nativ' (native or snapd)"},
        {"layout:\n", ":1: layout must be native or snapd"},
        {"lock-timeout: soon\n",
         ":1: lock-timeout must be a number of seconds (negative waits forever), not 'soon'"},
        {"lock-timeout: {a: 1}\n",
         ":1: lock-timeout must be a number of seconds (negative waits forever)"},
        {"lock-timeout: .inf\n", ":1: lock-timeout must be a finite number of seconds"},
        {"log-level: loud\n", ":1: log-level: unknown log level 'loud' (error or debug)"},
        {"log-level: [debug]\n", ":1: log-level must be error or debug"},
        {"paths: /run\n", ":1: paths must be a mapping"},
        {"paths:\n  native: /run\n", ":2: paths.native must be a mapping"},
        {"paths:\n  native:\n    lock: [a]\n", ":3: paths.native.lock must be an absolute path"},
        {"paths:\n  native:\n    lock: run/{name}.lock\n",
         ":3: paths.native.lock must be an absolute path, not 'run/{name}.lock'"},
        {"paths:\n  snapd:\n    current: /run/all.fstab\n",
         ":3: paths.snapd.current must contain {name}, the namespace name"},
        {"paths:\n  native:\n    ns-file: /run/{user}/{name}.mnt\n",
         ":3: paths.native.ns-file: the only placeholder is {name}, in '/run/{user}/{name}.mnt'"},
        {"- layout\n- native\n", ":1: the file must be a mapping"},
        {"layout: native\nlayout: snapd\n", ":2: duplicate key 'layout'"},
    };
    for (const auto& [text, message] : cases) {
        CAPTURE(text);
        config_file(s, text);
        CHECK(config_error(f) == f + message);
    }
}

TEST_CASE("a YAML syntax error names the file and line") {
    Scratch s;
    const std::string f = config_file(s, "layout: native\nlog-level: a: b\n");
    CHECK(config_error(f).rfind(f + ":2: ", 0) == 0);
}

TEST_CASE("{name} in a path template becomes the namespace name") {
    CHECK(nsr::cmd::expand_name("/run/{name}/{name}.mnt", "app") == "/run/app/app.mnt");
    CHECK(nsr::cmd::expand_name("/run/{name}", "a_b") == "/run/a_b");
}

TEST_CASE("without flags or file settings the built-in defaults apply") {
    Scratch s;
    const Target t = resolve({"--config", config_file(s, "")});
    check_target(t, {Layout::Native, "/run/nsreconcile/ns/app.mnt",
                     "/var/lib/nsreconcile/profiles/app.fstab", "/run/nsreconcile/ns/app.fstab",
                     "/run/nsreconcile/lock/app.lock", -1, LogLevel::Error});
}

TEST_CASE("the file beats the built-in defaults, key by key") {
    Scratch s;
    const auto f = config_file(s,
                               "layout: snapd\n"
                               "paths:\n"
                               "  snapd:\n"
                               "    ns-file: /srv/ns/{name}.mnt\n"
                               "    desired: /srv/profiles/{name}.fstab\n"
                               "lock-timeout: 7\n"
                               "log-level: debug\n");
    const Target t = resolve({"--config", f});
    check_target(t,
                 {Layout::Snapd, "/srv/ns/app.mnt", "/srv/profiles/app.fstab",
                  "/run/snapd/ns/snap.app.fstab", "/run/snapd/lock/app.lock", 7, LogLevel::Debug});

    const Target all = resolve({"--config", config_file(s,
                                                        "paths:\n"
                                                        "  native:\n"
                                                        "    ns-file: /a/{name}.mnt\n"
                                                        "    desired: /b/{name}.fstab\n"
                                                        "    current: /c/{name}.fstab\n"
                                                        "    lock: /d/{name}.lock\n")});
    CHECK(all.settings.layout == Layout::Native);
    CHECK(all.paths.ns_file == "/a/app.mnt");
    CHECK(all.paths.desired == "/b/app.fstab");
    CHECK(all.paths.current == "/c/app.fstab");
    CHECK(all.paths.lock == "/d/app.lock");
}

TEST_CASE("flags beat the file, key by key") {
    Scratch s;
    const auto f =
        config_file(s, "layout: snapd\n" + kNativePaths + "lock-timeout: 7\nlog-level: debug\n");
    const Target t =
        resolve({"--config", f, "--layout", "native", "--ns-file", "/cli/app.mnt", "--current",
                 "/cli/app.fstab", "--lock-timeout", "0.5", "--log-level", "error"});
    check_target(t, {Layout::Native, "/cli/app.mnt", "/srv/profiles/app.fstab", "/cli/app.fstab",
                     "/srv/lock/app.lock", 0.5, LogLevel::Error});

    const Target more =
        resolve({"--config", f, "--desired", "/cli/d.fstab", "--lock", "/cli/app.lock"});
    CHECK(more.paths.desired == "/cli/d.fstab");
    CHECK(more.paths.lock == "/cli/app.lock");

    const Target quiet_file = resolve({"--config", config_file(s, "log-level: error\n"), "-v"});
    CHECK(quiet_file.settings.log_level == LogLevel::Debug);
}

TEST_CASE("the file's paths for one layout leave the other layout alone") {
    Scratch s;
    const auto f = config_file(s, "paths:\n  native:\n    ns-file: /srv/{name}.mnt\n");
    CHECK(resolve({"--config", f}).paths.ns_file == "/srv/app.mnt");
    CHECK(resolve({"--config", f, "--layout", "snapd"}).paths.ns_file == "/run/snapd/ns/app.mnt");
}

TEST_CASE("resolve_target reports a bad file as a UsageError") {
    Scratch s;
    CHECK_THROWS_AS(resolve({"--config", config_file(s, "colour: blue\n")}), UsageError);
    CHECK_THROWS_AS(resolve({"--config", s / "missing.yaml"}), UsageError);
}

TEST_CASE("/etc/nsreconcile/config.yaml is read when present, and only without --config") {
    require_root("a private mount namespace over /etc");
    Scratch s;
    const auto other = config_file(s, "lock-timeout: 3\n");
    // /etc is covered by a tmpfs in a private namespace, so the host's /etc
    // is neither read nor written.
    const std::string seen = run_in_private([&] {
        if (::mount("tmpfs", "/etc", "tmpfs", 0, "mode=0755") != 0)
            return std::string("cannot mount a tmpfs on /etc");
        std::string out;
        out += "absent: " + resolve({}).paths.ns_file + "\n";
        ::mkdir("/etc/nsreconcile", 0755);
        write_file(nsr::cmd::kDefaultConfigPath, "layout: snapd\nlock-timeout: 9\n");
        const Target t = resolve({});
        out += "present: " + t.paths.ns_file + " " + std::to_string(t.settings.lock_timeout) + "\n";
        const Target o = resolve({"--config", other});
        out +=
            "--config: " + o.paths.ns_file + " " + std::to_string(o.settings.lock_timeout) + "\n";
        write_file(nsr::cmd::kDefaultConfigPath, "layot: snapd\n");
        try {
            resolve({});
            out += "bad: accepted\n";
        } catch (const UsageError& e) {
            out += std::string("bad: ") + e.what() + "\n";
        }
        return out;
    });
    CHECK(seen ==
          "absent: /run/nsreconcile/ns/app.mnt\n"
          "present: /run/snapd/ns/app.mnt 9.000000\n"
          "--config: /run/nsreconcile/ns/app.mnt 3.000000\n"
          "bad: /etc/nsreconcile/config.yaml:1: unknown key 'layot' (expected one of: layout, "
          "lock-timeout, log-level, paths, writable)\n");
}

// The real binary, with every path taken from the file: there is no
// namespace file, so apply and plan stop after taking the lock and reading
// the profiles, and say which namespace file they looked for.
namespace {

std::string paths_config(const Scratch& s, const std::string& extra = "") {
    return config_file(s,
                       "paths:\n"
                       "  native:\n"
                       "    ns-file: " +
                           s.path() +
                           "/{name}.mnt\n"
                           "    desired: " +
                           s.path() +
                           "/{name}.fstab\n"
                           "    current: " +
                           s.path() +
                           "/{name}.current\n"
                           "    lock: " +
                           s.path() + "/lock/{name}.lock\n" + extra);
}

}  // namespace

TEST_CASE("nsreconcile apply --config uses the file's paths") {
    Scratch s;
    const auto f = paths_config(s);
    write_file(s / "app.fstab", "tmpfs /srv/x tmpfs mode=0755 0 0\n");
    auto r = run_binary({"apply", "app", "--config", f, "--dry-run"}, kMerged);
    CHECK(r.status == 0);
    CHECK(r.out == "no mount namespace at " + s / "app.mnt" + ": nothing to do\n");
    CHECK(::access((s / "lock/app.lock").c_str(), F_OK) == 0);

    write_file(s / "app.fstab", "tmpfs relative tmpfs defaults 0 0\n");
    r = run_binary({"apply", "app", "--config", f, "--dry-run"}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out.find(s / "app.fstab" + ":1: ") != std::string::npos);

    write_file(s / "app.fstab", "");
    r = run_binary({"plan", "app", "--config", f}, kMerged);
    CHECK(r.status == 0);
    CHECK(r.out == "no mount namespace at " + s / "app.mnt" + ": nothing to do\n");
}

TEST_CASE("nsreconcile follows the file's log level unless a flag says otherwise") {
    Scratch s;
    const auto f = paths_config(s, "log-level: debug\n");
    write_file(s / "app.fstab", "");
    const std::string debug_line =
        "debug: no preserved mount namespace at " + s / "app.mnt" + ", nothing to do\n";
    auto r = run_binary({"apply", "app", "--config", f}, kMerged);
    CHECK(r.status == 0);
    CHECK(r.out.find(debug_line) != std::string::npos);
    r = run_binary({"apply", "app", "--config", f, "--log-level", "error"}, kMerged);
    CHECK(r.status == 0);
    CHECK(r.out.find("debug:") == std::string::npos);
}

TEST_CASE("nsreconcile exits 2 with one line naming a bad or missing configuration file") {
    Scratch s;
    const auto f = config_file(s, "paths:\n  native:\n    nsfile: /x/{name}.mnt\n");
    auto r = run_binary({"apply", "app", "--config", f}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out.rfind("nsreconcile: " + f + ":3: unknown key 'paths.native.nsfile'", 0) == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);

    r = run_binary({"apply", "app", "--config", s / "missing.yaml"}, kMerged);
    CHECK(r.status == 2);
    CHECK(r.out.rfind("nsreconcile: " + s / "missing.yaml" + ": cannot read: No such file", 0) ==
          0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
}
