// The OCI converter on specs from runc's and podman's documentation and on
// bad specs, with the host's paths made up (OciContext).
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "cmd/oci_convert.hpp"
#include "profile/fstab.hpp"
#include "tests/support/thrown.hpp"

using namespace nsr::cmd;
using nsr::reconcile::FileType;
using Strings = std::vector<std::string>;

namespace {

// The host: a few directories and files; /link is a symlink to /srv/data;
// the container's root filesystem /bundle/rootfs has /tmp (mode 1777) and
// /etc (0755).
OciContext host() {
    static const std::map<std::string, HostPath> paths = [] {
        std::map<std::string, HostPath> m = {
            {"/link", {"/srv/data", FileType::Directory}},
            {"/srv/file.conf", {"/srv/file.conf", FileType::Regular}},
            {"/dev/null", {"/dev/null", FileType::Other}},
        };
        for (const char* dir : {"/srv/data", "/bundle/volumes/testing", "/volumes/testing", "/src",
                                "/some/upper", "/some/work", "/l/a,b", "/l/c:d", "/l/data"})
            m[dir] = {dir, FileType::Directory};
        return m;
    }();
    OciContext ctx;
    ctx.bundle = "/bundle";
    ctx.resolve = [](const std::string& p) -> std::optional<HostPath> {
        auto it = paths.find(p);
        if (it == paths.end())
            return std::nullopt;
        return it->second;
    };
    ctx.dest_mode = [](const std::string& root, const std::string& dest) -> std::optional<mode_t> {
        if (root != "/bundle/rootfs")
            return std::nullopt;
        if (dest == "/tmp")
            return 01777;
        if (dest == "/etc")
            return 0755;
        return std::nullopt;
    };
    return ctx;
}

OciConversion convert(const std::string& json) {
    return oci_mounts_convert(json, host());
}

std::string profile_of(const std::string& json) {
    return nsr::profile::format_profile(convert(json).profile);
}

std::string error_of(const std::string& json) {
    return nsr::test::thrown_message<OciSpecError>([&] { convert(json); }, "(converted)");
}

// A spec with one mount.
std::string one(const std::string& mount) {
    return R"({"root": {"path": "rootfs"}, "mounts": [)" + mount + "]}";
}

// A spec whose one mount binds /srv/data at /d with OPTIONS (JSON strings,
// comma-separated).
std::string data_bind(const std::string& options) {
    return one(R"({"destination": "/d", "source": "/srv/data", "options": [)" + options + "]}");
}

}  // namespace

TEST_CASE("runc spec's default mounts: the runtime's own skipped, its tmpfs kept") {
    // The mounts of the config.json `runc spec` writes (runc's
    // libcontainer/specconv/example.go).
    const auto c = convert(R"({
      "ociVersion": "1.0.2-dev",
      "root": {"path": "rootfs", "readonly": true},
      "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
      ]})");
    CHECK(nsr::profile::format_profile(c.profile) ==
          "tmpfs /dev tmpfs nosuid,strictatime,mode=755,size=65536k 0 0\n"
          "shm /dev/shm tmpfs nosuid,nodev,noexec,mode=1777,size=65536k 0 0\n");
    CHECK(c.notes == Strings{
                         "mounts[0]: skipped: proc at /proc is the container runtime's own",
                         "mounts[2]: skipped: devpts at /dev/pts is the container runtime's own",
                         "mounts[4]: skipped: mqueue at /dev/mqueue is the container runtime's own",
                         "mounts[5]: skipped: sysfs at /sys is the container runtime's own",
                         "mounts[6]: skipped: cgroup at /sys/fs/cgroup is the container "
                         "runtime's own",
                     });
}

TEST_CASE("the runtime spec's example: a tmpfs and an rbind with a relative-to-root source") {
    // config.md of the OCI runtime spec: {"destination": "/data", "type":
    // "none", "source": "/volumes/testing", "options": ["rbind","rw"]}.
    CHECK(profile_of(R"({"mounts": [
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/data", "type": "none", "source": "/volumes/testing",
         "options": ["rbind", "rw"]}]})") ==
          "tmpfs /tmp tmpfs nosuid,strictatime,mode=755,size=65536k 0 0\n"
          // rw only clears a flag: runc does not remount, the source's flags stay.
          "/volumes/testing /data none rbind 0 0\n");
}

TEST_CASE("podman's documented volumes: -v SRC:DST:ro, --tmpfs, and :O overlays") {
    // podman-run(1) --volume: a bind, nosuid and nodev by default, private
    // propagation; :ro makes it read-only.
    CHECK(profile_of(one(R"({"destination": "/dst", "type": "bind", "source": "/src",
                            "options": ["bind", "ro", "nosuid", "nodev", "private"]})")) ==
          "/src /dst none bind,ro,nosuid,nodev,x-nsr.top-flags,private 0 0\n");
    // podman-run(1) --tmpfs /tmp:rw,size=787448k,mode=1777.
    CHECK(profile_of(one(R"({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                            "options": ["rw", "size=787448k", "mode=1777"]})")) ==
          "tmpfs /tmp tmpfs size=787448k,mode=1777 0 0\n");
    // --tmpfs without options: rw,noexec,nosuid,nodev; /tmp exists in the
    // root filesystem, so the tmpfs takes its mode.
    CHECK(profile_of(one(R"({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                            "options": ["rw", "noexec", "nosuid", "nodev"]})")) ==
          "tmpfs /tmp tmpfs nosuid,nodev,noexec,mode=1777 0 0\n");
    // -v /src:/dst:O,upperdir=/some/upper,workdir=/some/work.
    CHECK(profile_of(one(R"({"destination": "/dst", "type": "overlay", "source": "overlay",
                            "options": ["lowerdir=/src", "upperdir=/some/upper",
                                        "workdir=/some/work", "private"]})")) ==
          "overlay /dst overlay lowerdir=/src,upperdir=/some/upper,workdir=/some/work,private "
          "0 0\n");
}

TEST_CASE("runc's bind flags: the top mount exactly, r* flags on the whole tree") {
    // No flag: runc keeps the source's flags.
    CHECK(profile_of(data_bind(R"("rbind")")) == "/srv/data /d none rbind 0 0\n");
    // ro on an rbind: the top mount only.
    CHECK(profile_of(data_bind(R"("rbind", "ro")")) ==
          "/srv/data /d none rbind,ro,x-nsr.top-flags 0 0\n");
    // rro: all of it; no remount of the top.
    CHECK(profile_of(data_bind(R"("rbind", "rro", "rnosuid")")) ==
          "/srv/data /d none rbind,x-nsr.rro,x-nsr.rnosuid 0 0\n");
    // An atime flag alone makes runc remount with exactly it.
    CHECK(profile_of(data_bind(R"("bind", "noatime")")) ==
          "/srv/data /d none bind,noatime,x-nsr.top-flags 0 0\n");
    // A later clear undoes an earlier set, as in runc.
    CHECK(profile_of(data_bind(R"("bind", "ro", "nosuid", "rw")")) ==
          "/srv/data /d none bind,nosuid,x-nsr.top-flags 0 0\n");
    // bind and rbind together are an rbind; the type does not matter.
    CHECK(profile_of(one(R"({"destination": "/d", "type": "ext4", "source": "/srv/data",
                            "options": ["bind", "rbind"]})")) == "/srv/data /d none rbind 0 0\n");
}

TEST_CASE("bind sources: symlinks resolved, relative to the bundle, files") {
    CHECK(profile_of(one(R"({"destination": "/d", "source": "/link", "options": ["bind"]})")) ==
          "/srv/data /d none bind 0 0\n");
    CHECK(profile_of(one(R"({"destination": "/d", "source": "volumes/testing",
                            "options": ["rbind"]})")) ==
          "/bundle/volumes/testing /d none rbind 0 0\n");
    CHECK(profile_of(one(R"({"destination": "/etc/app.conf", "source": "/srv/file.conf",
                            "options": ["bind", "ro"]})")) ==
          "/srv/file.conf /etc/app.conf none bind,ro,x-nsr.top-flags,x-snapd.kind=file 0 0\n");
    // Destinations are cleaned.
    CHECK(profile_of(one(R"({"destination": "/a//b/../c/", "source": "/srv/data",
                            "options": ["bind"]})")) == "/srv/data /a/c none bind 0 0\n");
}

TEST_CASE("what has no effect is dropped with a note") {
    auto c = convert(data_bind(R"("bind", "sync", "z", "size=1m")"));
    CHECK(nsr::profile::format_profile(c.profile) ==
          "/srv/data /d none bind,x-nsr.top-flags 0 0\n");
    CHECK(c.notes == Strings{"mounts[0]: the filesystem flags have no effect on a bind (runc's "
                             "remount ignores them); dropped",
                             "mounts[0]: data options have no effect on a bind; dropped"});
    c = convert(one(R"({"destination": "/t", "type": "tmpfs", "source": "tmpfs",
                       "options": ["rro", "nodev"]})"));
    CHECK(nsr::profile::format_profile(c.profile) == "tmpfs /t tmpfs nodev 0 0\n");
    CHECK(c.notes == Strings{"mounts[0]: recursive flags (rro, ...) apply to binds only (runc "
                             "ignores them here); dropped"});
}

TEST_CASE("overlay layers: several lower, data-only, escapes as the kernel reads them") {
    // mount(2) data escapes ',' and ':' in a layer with '\'.
    CHECK(profile_of(one(R"({"destination": "/m", "type": "overlay", "source": "overlay",
        "options": ["lowerdir=/l/a\\,b:/l/c\\:d::/l/data", "ro"]})")) ==
          "overlay /m overlay ro,lowerdir=/l/a\\054b:/l/c\\072d::/l/data 0 0\n");
    // A ',' not escaped ends the option, as in the kernel.
    CHECK(error_of(one(R"({"destination": "/m", "type": "overlay", "source": "overlay",
        "options": ["lowerdir=/l/a,b"]})")) ==
          "mounts[0].options: lower layer: \"/l/a\" does not exist");
    CHECK(error_of(
              one(R"({"destination": "/m", "type": "overlay", "options": ["upperdir=/src"]})")) ==
          "mounts[0].options: an overlay needs lowerdir");
    CHECK(error_of(one(R"({"destination": "/m", "type": "overlay",
        "options": ["lowerdir=/srv/file.conf"]})")) ==
          "mounts[0].options: lower layer \"/srv/file.conf\" is not a directory");
}

TEST_CASE("bad specs: exit 2 material, naming the index and the field") {
    CHECK(error_of("{\"mounts\": [").starts_with("not valid JSON: "));
    CHECK(error_of("[]") == "not a JSON object");
    CHECK(error_of(R"({"mounts": {}})") == "mounts: not an array");
    CHECK(error_of(R"({"mounts": [3]})") == "mounts[0]: not an object");
    CHECK(error_of(one(R"({"type": "tmpfs"})")) == "mounts[0].destination: missing");
    CHECK(error_of(one(R"({"destination": 7, "type": "tmpfs"})")) ==
          "mounts[0].destination: not a string");
    CHECK(error_of(one(R"({"destination": "d", "type": "tmpfs"})")) ==
          "mounts[0].destination: \"d\" is not an absolute path");
    CHECK(error_of(one(R"({"destination": "/", "type": "tmpfs"})")) ==
          "mounts[0].destination: a mount over the container's root cannot be expressed");
    CHECK(error_of(one(R"({"destination": "/d", "type": "ext4", "source": "/dev/sda"})")) ==
          "mounts[0].type: unknown type \"ext4\" (a profile takes bind, tmpfs and overlay "
          "mounts)");
    CHECK(error_of(one(R"({"destination": "/d"})")) ==
          "mounts[0].type: missing, and the mount is not a bind");
    CHECK(error_of(one(R"({"destination": "/d", "type": "bind", "source": "/srv/data"})")) ==
          "mounts[0].options: type \"bind\" needs the bind or rbind option");
    CHECK(error_of(one(R"({"destination": "/d", "type": "tmpfs", "options": "ro"})")) ==
          "mounts[0].options: not an array");
    CHECK(error_of(one(R"({"destination": "/d", "type": "tmpfs", "options": ["ro", 1]})")) ==
          "mounts[0].options[1]: not a string");
    CHECK(error_of(one(R"({"destination": "/d", "type": "tmpfs", "options": ["tmpcopyup"]})")) ==
          "mounts[0].options[0]: \"tmpcopyup\" cannot be expressed in a profile");
    CHECK(error_of(data_bind(R"("rbind", "runbindable")")) ==
          "mounts[0].options[1]: \"runbindable\" cannot be expressed in a profile");
    CHECK(error_of(data_bind(R"("rbind", "remount")")) ==
          "mounts[0].options: \"remount\" cannot be expressed in a profile");
    CHECK(error_of(data_bind(R"("bind", "nosymfollow")")) ==
          "mounts[0].options: \"nosymfollow\" cannot be expressed in a profile");
    CHECK(error_of(data_bind(R"("bind", "rprivate", "rslave")")) ==
          "mounts[0].options: more than one propagation option cannot be expressed");
    CHECK(error_of(one(R"({"destination": "/d", "source": "/srv/data", "options": ["bind"],
                          "uidMappings": []})")) ==
          "mounts[0].uidMappings: an idmapped mount cannot be expressed in a profile");
    CHECK(error_of(one(R"({"destination": "/d", "source": "/nowhere", "options": ["bind"]})")) ==
          "mounts[0].source: \"/nowhere\" does not exist");
    CHECK(error_of(one(R"({"destination": "/d", "source": "/dev/null", "options": ["bind"]})")) ==
          "mounts[0].source: \"/dev/null\" is neither a directory nor a regular file");
    CHECK(error_of(one(R"({"destination": "/d", "type": "tmpfs", "options": ["sync"]})")) ==
          "mounts[0].options: filesystem flags (sync, dirsync, lazytime, ...) cannot be "
          "expressed in a profile");
}

TEST_CASE("one mount a directory, a directory before what lies under it") {
    CHECK(error_of(R"({"mounts": [
        {"destination": "/d", "type": "tmpfs"},
        {"destination": "/d/", "type": "tmpfs"}]})") ==
          "mounts[1].destination: /d is also mounts[0]'s; a profile has one mount a directory");
    CHECK(error_of(R"({"mounts": [
        {"destination": "/d/e", "type": "tmpfs"},
        {"destination": "/d", "type": "tmpfs"}]})") ==
          "mounts[1].destination: /d would cover mounts[0] at /d/e, mounted before it; a profile "
          "mounts a directory before what lies under it");
    CHECK(profile_of(R"({"mounts": [
        {"destination": "/d", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/d/e", "type": "tmpfs", "source": "tmpfs"}]})") ==
          "tmpfs /d tmpfs defaults 0 0\ntmpfs /d/e tmpfs defaults 0 0\n");
    CHECK(profile_of(R"({"mounts": []})").empty());
    CHECK(profile_of(R"({"ociVersion": "1.0.2"})").empty());
}

TEST_CASE("the converted profiles pass lint's checks of x-nsr options") {
    const auto c = convert(data_bind(R"("rbind", "ro", "rnoexec")"));
    REQUIRE(c.profile.entries.size() == 1);
    CHECK(c.profile.entries[0].options ==
          Strings{"rbind", "ro", "x-nsr.top-flags", "x-nsr.rnoexec"});
}
