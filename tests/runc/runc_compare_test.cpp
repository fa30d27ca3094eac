// runc as the oracle for OCI mounts. One runtime spec with binds, a tmpfs
// and overlays whose layers are host directories is run by runc (container
// A, which prints its mount table); the same spec without those mounts is
// run as container B, and `nsreconcile apply --pid` applies the profile that
// `nsreconcile convert --from oci` makes of A's spec to B's namespace; then
// the same with an edited spec (a mount removed, a tmpfs and a read-only
// overlay replaced, an overlay's layers changed keeping its upper and work
// dirs), against runc's container C of that spec. Below
// each of those mounts' destinations both must show the same mounts: mount
// point, type, the directory of the filesystem it shows, ro/nosuid/nodev/
// noexec, and for an overlay its layers, upper and work; for a tmpfs its
// mode and size. A second apply finds everything in place.
//
// Everything happens in a private mount namespace on a tmpfs scratch
// directory; runc keeps its state there too (--root), and both containers
// are deleted at the end. When runc cannot run a container, the test fails
// and says why.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "reconcile/overlay_match.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

using nlohmann::json;
using nsr::test::Output;
using nsr::test::run;
using nsr::test::Scratch;
using Strings = std::vector<std::string>;

namespace {

void check(int rc, const std::string& what) {
    if (rc != 0)
        throw std::system_error(errno, std::generic_category(), what);
}

void mkdirs(const std::string& path) {
    const Output o = run({"mkdir", "-p", path});
    if (o.status != 0)
        throw std::runtime_error("mkdir -p " + path + ": " + o.err);
}

// Runs ARGV; throws with its output unless it exits 0.
std::string must(const Strings& argv, const std::string& why) {
    const Output o = run(argv, {.timeout_sec = 120});
    if (o.status != 0) {
        throw std::runtime_error(why + " (" + argv[0] + " exited " + std::to_string(o.status) +
                                 "): " + o.err + o.out);
    }
    return o.out;
}

// The user mounts of the spec: binds of a host tree with a submount,
// read-only on the top only (ro) and all of it (rro); a tmpfs; overlays of
// three lower layers and an upper, of two lower layers only, with a colon
// and a comma in layer paths, and with a data-only layer.
json user_mounts(const std::string& h) {
    return json::array({
        {{"destination", "/data"},
         {"type", "bind"},
         {"source", h + "/data"},
         {"options", {"rbind", "ro"}}},
        {{"destination", "/rdata"},
         {"type", "bind"},
         {"source", h + "/data"},
         {"options", {"rbind", "rro", "rprivate"}}},
        {{"destination", "/plain"},
         {"type", "bind"},
         {"source", h + "/data"},
         {"options", {"bind", "nosuid", "nodev"}}},
        {{"destination", "/scratch"},
         {"type", "tmpfs"},
         {"source", "tmpfs"},
         {"options", {"nosuid", "nodev", "mode=0750", "size=1m"}}},
        {{"destination", "/ov"},
         {"type", "overlay"},
         {"source", "overlay"},
         {"options",
          {"lowerdir=" + h + "/l1:" + h + "/l2:" + h + "/l3", "upperdir=" + h + "/u",
           "workdir=" + h + "/w"}}},
        {{"destination", "/ovro"},
         {"type", "overlay"},
         {"source", "overlay"},
         {"options", {"lowerdir=" + h + "/ro1:" + h + "/ro2"}}},
        {{"destination", "/ovnames"},
         {"type", "overlay"},
         {"source", "overlay"},
         {"options", {"lowerdir=" + h + "/co\\:lon:" + h + "/com\\,ma"}}},
        {{"destination", "/ovdata"},
         {"type", "overlay"},
         {"source", "overlay"},
         {"options", {"lowerdir=" + h + "/l1::" + h + "/d1"}}},
    });
}

Strings destinations(const json& mounts) {
    Strings out;
    for (const auto& m : mounts)
        out.push_back(m["destination"].get<std::string>());
    return out;
}

// The kernel's octal escapes (\054 ...) undone.
std::string octal_decoded(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
            out +=
                static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// What is compared of one mount, as one line: where, what, which directory
// of its filesystem, the access flags, and the overlay's layers or the
// tmpfs's mode and size.
std::string describe(const nsr::mountinfo::Mount& m) {
    std::string flags;
    for (const char* f : {"ro", "nosuid", "nodev", "noexec"}) {
        if (m.has_mount_option(f))
            flags += std::string(flags.empty() ? "" : ",") + f;
    }
    std::string line = m.mount_point + " " + m.fstype + " root=" + m.root + " [" + flags + "]";
    if (m.fstype == "overlay") {
        Strings lower, data;
        std::string upper, work;
        std::istringstream opts(m.super_options);
        for (std::string o; std::getline(opts, o, ',');) {
            o = octal_decoded(o);
            if (o.starts_with("lowerdir=")) {
                auto layers = nsr::reconcile::overlay_lowerdir_split(o.substr(9));
                lower.insert(lower.end(), layers.lower.begin(), layers.lower.end());
                data.insert(data.end(), layers.data.begin(), layers.data.end());
            } else if (o.starts_with("lowerdir+=")) {
                lower.push_back(o.substr(10));
            } else if (o.starts_with("datadir+=")) {
                data.push_back(o.substr(9));
            } else if (o.starts_with("upperdir=")) {
                upper = o.substr(9);
            } else if (o.starts_with("workdir=")) {
                work = o.substr(8);
            }
        }
        std::string layers;
        for (const auto& l : lower)
            layers += (layers.empty() ? "" : ":") + l;
        for (const auto& d : data)
            layers += "::" + d;
        line += " lower=" + layers + " upper=" + upper + " work=" + work;
    } else if (m.fstype == "tmpfs") {
        line += " mode=" + m.super_option("mode").value_or("1777") +
                " size=" + m.super_option("size").value_or("-");
    }
    return line;
}

// The mounts at or below each of DESTS in the table TEXT, sorted.
std::string mounts_below(const std::string& text, const Strings& dests) {
    std::set<std::string> lines;
    for (const auto& m : nsr::mountinfo::parse_mountinfo(text, "container mountinfo")) {
        for (const auto& d : dests) {
            if (m.mount_point == d || m.mount_point.starts_with(d + "/"))
                lines.insert(describe(m));
        }
    }
    std::string out;
    for (const auto& l : lines)
        out += l + "\n";
    return out;
}

// The spec edited: /plain gone, /scratch bigger, /ovro's layers swapped.
json edited_mounts(const std::string& h) {
    json out = json::array();
    for (auto m : user_mounts(h)) {
        const std::string dest = m["destination"];
        if (dest == "/plain")
            continue;
        if (dest == "/scratch")
            m["options"] = {"nosuid", "nodev", "mode=0750", "size=2m"};
        if (dest == "/ovro")
            m["options"] = {"lowerdir=" + h + "/ro2:" + h + "/ro1"};
        // Other layers, the same upper and work: unmounted, then mounted.
        if (dest == "/ov") {
            m["options"] = {"lowerdir=" + h + "/l2:" + h + "/l1:" + h + "/l3",
                            "upperdir=" + h + "/u", "workdir=" + h + "/w"};
        }
        out.push_back(m);
    }
    return out;
}

// A busybox root filesystem in ROOT.
void make_rootfs(const std::string& root) {
    mkdirs(root + "/bin");
    for (const char* d : {"/proc", "/sys", "/dev", "/tmp", "/etc"})
        mkdirs(root + d);
    must({"cp", "/bin/busybox", root + "/bin/busybox"}, "cannot copy busybox (busybox-static)");
    for (const char* c : {"sh", "cat", "sleep"})
        check(::symlink("busybox", (root + "/bin/" + c).c_str()), std::string("symlink ") + c);
}

// A bundle in DIR: `runc spec`'s config.json with MOUNTS added to its
// own, running ARGS.
void make_bundle(const std::string& dir, const json& mounts, const Strings& args) {
    make_rootfs(dir + "/rootfs");
    const Output spec = run({"runc", "spec", "--bundle", dir});
    REQUIRE_MESSAGE(spec.status == 0, "runc cannot write a spec: ", spec.err);
    json config = json::parse(nsr::test::read_file(dir + "/config.json"));
    config["process"]["terminal"] = false;
    config["process"]["args"] = args;
    config["root"]["readonly"] = false;
    for (const auto& m : mounts)
        config["mounts"].push_back(m);
    nsr::test::write_file(dir + "/config.json", config.dump(1));
}

// The whole comparison, in the private namespace; "" when both agree, else
// what differed.
std::string compare(const std::string& s) {
    check(::mount("tmpfs", s.c_str(), "tmpfs", 0, "mode=0755"), "mount tmpfs on " + s);
    const std::string h = s + "/host";
    for (const char* d : {"/data/sub", "/l1", "/l2", "/l3", "/u", "/w", "/ro1", "/ro2", "/co:lon",
                          "/com,ma", "/d1", "/state"})
        mkdirs(h + d);
    // The bind source has a submount of its own, which an rbind brings along.
    check(::mount("tmpfs", (h + "/data/sub").c_str(), "tmpfs", 0, "size=1m"), "tmpfs sub");
    nsr::test::write_file(h + "/data/f", "data");
    nsr::test::write_file(h + "/l1/f", "l1");
    const json mounts = user_mounts(h);
    const Strings dests = destinations(mounts);
    const std::string runc_root = s + "/runc";
    const std::string id = "nsr-" + std::to_string(::getpid());

    // A: runc mounts everything itself.
    make_bundle(s + "/a", mounts, {"cat", "/proc/self/mountinfo"});
    const Output a = run({"runc", "--root", runc_root, "run", "--bundle", s + "/a", id + "-a"},
                         {.timeout_sec = 120});
    if (a.status != 0)
        return "runc cannot run a container here (exit " + std::to_string(a.status) + "): " + a.err;
    const std::string want = mounts_below(a.out, dests);
    // C: runc with the edited spec.
    make_bundle(s + "/c", edited_mounts(h), {"cat", "/proc/self/mountinfo"});
    const std::string want_edited =
        mounts_below(must({"runc", "--root", runc_root, "run", "--bundle", s + "/c", id + "-c"},
                          "runc cannot run container C"),
                     dests);

    // B: runc's own mounts only; nsreconcile adds the rest.
    make_bundle(s + "/b", json::array(), {"sleep", "600"});
    const std::string b = id + "-b";
    struct Deleted {
        std::string root, id;
        ~Deleted() { run({"runc", "--root", root, "delete", "--force", id}); }
    } deleted{runc_root, b};
    must({"sh", "-c",
          "exec runc --root \"$0\" run --detach --bundle \"$1\" \"$2\" </dev/null >/dev/null 2>&1",
          runc_root, s + "/b", b},
         "runc cannot start container B");
    const json state = json::parse(must({"runc", "--root", runc_root, "state", b}, "runc state"));
    const std::string pid = std::to_string(state["pid"].get<long>());

    const std::string profile =
        must({NSR_BINARY, "convert", "--from", "oci", s + "/a/config.json"}, "convert");
    nsr::test::write_file(h + "/state/desired.fstab", profile);
    const Strings apply = {NSR_BINARY,
                           "apply",
                           "ctr",
                           "--pid",
                           pid,
                           "--desired",
                           h + "/state/desired.fstab",
                           "--current",
                           h + "/state/current.fstab",
                           "--lock",
                           h + "/state/lock",
                           "--json"};
    must(apply, "nsreconcile apply --pid");
    const std::string exec_cat =
        must({"runc", "--root", runc_root, "exec", b, "cat", "/proc/self/mountinfo"}, "runc exec");
    std::string out;
    const std::string have = mounts_below(exec_cat, dests);
    if (have != want)
        out += "runc:\n" + want + "nsreconcile:\n" + have;
    // A second apply finds everything in place and changes nothing.
    const json again = json::parse(must(apply, "nsreconcile apply --pid, again"));
    for (const auto& c : again["changes"]) {
        if (c["outcome"] != "already done")
            out += "second apply: " + c["entry"].get<std::string>() + ": " +
                   c["outcome"].get<std::string>() + " (" + c["detail"].get<std::string>() + ")\n";
    }
    const std::string after =
        must({"runc", "--root", runc_root, "exec", b, "cat", "/proc/self/mountinfo"}, "runc exec");
    if (mounts_below(after, dests) != have)
        out += "the second apply changed the mounts\n";
    // What B writes to its overlay stays in the upper dir through the edit.
    must({"runc", "--root", runc_root, "exec", b, "sh", "-c", "printf kept > /ov/k"},
         "runc exec: write to /ov");
    // The edited spec, applied to B, gives what runc gives for it: a
    // mount removed, a tmpfs and a read-only overlay replaced, an
    // overlay's layers changed keeping its upper and work dirs.
    nsr::test::write_file(
        h + "/state/desired.fstab",
        must({NSR_BINARY, "convert", "--from", "oci", s + "/c/config.json"}, "convert edited"));
    must(apply, "nsreconcile apply --pid, edited spec");
    const std::string have_edited = mounts_below(
        must({"runc", "--root", runc_root, "exec", b, "cat", "/proc/self/mountinfo"}, "runc exec"),
        dests);
    if (want_edited == want)
        out += "the edit changes nothing in runc's container\n";
    if (have_edited != want_edited)
        out += "edited spec, runc:\n" + want_edited + "nsreconcile:\n" + have_edited;
    // What the container reads through them.
    const std::string reads = must(
        {"runc", "--root", runc_root, "exec", b, "cat", "/data/f", "/ov/f", "/ovdata/f", "/ov/k"},
        "runc exec cat");
    if (reads != "datal1l1kept")
        out += "the container reads " + reads + "\n";
    run({"runc", "--root", runc_root, "kill", b, "KILL"});
    return out;
}

}  // namespace

TEST_CASE("runc and nsreconcile give a container the same mounts from one spec") {
    nsr::test::require_root("runs runc and mounts in private namespaces");
    const Output version = run({"runc", "--version"});
    REQUIRE_MESSAGE(version.status == 0,
                    "runc is not installed (Debian package runc): ", version.err);
    REQUIRE_MESSAGE(::access("/bin/busybox", X_OK) == 0,
                    "busybox is not installed (Debian package busybox-static)");
    Scratch s;
    const std::string verdict = nsr::mntns::run_in_private([&] { return compare(s.path()); });
    CHECK(verdict == "");
}
