// `nsreconcile features` as root and as nobody: the real binary, the real
// kernel. The answers are held against what the kernel release promises
// on a mainline kernel, and the probes must leave the mount table as they
// found it.
#include <doctest/doctest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

using nsr::test::Output;
using nsr::test::run_binary;
using nsr::test::run_shell;

namespace {

const std::string kAsNobody = "setpriv --reuid=65534 --regid=65534 --clear-groups -- ";

nlohmann::json feature(const nlohmann::json& doc, const std::string& name) {
    for (const auto& f : doc.at("features")) {
        if (f.at("name") == name)
            return f;
    }
    FAIL("no feature named " << name);
    return {};
}

// The running kernel's major.minor as one number, 6.18 -> 618.
int release_number() {
    struct utsname u {};
    REQUIRE(::uname(&u) == 0);
    std::istringstream in(u.release);
    int major = 0, minor = 0;
    char dot = 0;
    in >> major >> dot >> minor;
    return major * 100 + minor;
}

// A copy of the binary that nobody may run, as the build tree may not be.
struct NobodysBinary {
    nsr::test::Scratch dir;
    std::string path = dir / "nsreconcile";
    NobodysBinary() {
        REQUIRE(run_shell("chmod 0755 " + dir.path() + " && cp " + NSR_BINARY + " " + path +
                          " && chmod 0755 " + path)
                    .status == 0);
    }
};

}  // namespace

TEST_CASE("features as root: every probe answers, as the kernel release promises") {
    nsr::test::require_root("the mount probes run in a throwaway namespace");
    const Output r = run_binary({"features", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    const auto doc = nlohmann::json::parse(r.out);
    struct utsname u {};
    REQUIRE(::uname(&u) == 0);
    CHECK(doc.at("kernel") == u.release);
    CHECK(doc.at("features").size() == 8);
    for (const auto& f : doc.at("features")) {
        INFO(f.dump());
        if (f.at("needs_root") == true)
            CHECK_FALSE(f.at("available").is_null());
        if (f.at("available") != true)
            CHECK_FALSE(f.at("detail").get<std::string>().empty());
    }
    // What mainline Linux has had since these releases (the README's
    // target is 6.18).
    const int release = release_number();
    const std::pair<const char*, int> since[] = {
        {"new_mount_api", 502}, {"openat2", 506},
        {"mount_setattr", 512}, {"move_mount_beneath", 605},
        {"statmount", 608},     {"overlay_fd_layers", 610},
        {"nsfs_bind", 0}};
    for (const auto& [name, version] : since) {
        INFO(name);
        if (release >= version)
            CHECK(feature(doc, name).at("available") == true);
    }
}

TEST_CASE("features: every feature of this version is reported as used") {
    // Each one is called by the product: MOVE_MOUNT_BENEATH and the new mount
    // API by the executor, mount_setattr for flags and detaching, statmount
    // by the live mount view, openat2 by secure_fs, fd layers by
    // overlay_mount, the freezers by --freeze-cgroup, the nsfs bind by ns
    // create.
    const Output r = run_binary({"features", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    const auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc.at("features").size() == 8);
    for (const auto& f : doc.at("features")) {
        INFO(f.dump());
        CHECK(f.at("used") == true);
    }
}

TEST_CASE("features: the cgroup v2 freezer answer matches the mounted hierarchies") {
    const Output r = run_binary({"features", "--json"});
    REQUIRE(r.status == 0);
    const auto answer = feature(nlohmann::json::parse(r.out), "cgroup2_freezer").at("available");
    // The same question asked another way: the cgroups one level below each
    // cgroup2 mount, and which of them have cgroup.freeze.
    const std::string cgroups =
        "awk '{ for (i = 7; $i != \"-\"; i++); if ($(i + 1) == \"cgroup2\") print $5 }' "
        "/proc/self/mountinfo | "
        "while read -r m; do for d in \"$m\"/*/; do [ -d \"$d\" ] && echo \"$d\"; done; done";
    const Output all = run_shell(cgroups);
    const Output freezable =
        run_shell(cgroups +
                  " | while read -r d; do [ -e \"$d/cgroup.freeze\" ] && echo \"$d\"; "
                  "done; true");
    INFO(all.out << "\n" << freezable.out);
    if (!freezable.out.empty())
        CHECK(answer == true);
    else if (!all.out.empty())
        CHECK(answer == false);
    else
        CHECK(answer.is_null());
}

TEST_CASE("features probes in a throwaway namespace: the mount table and /tmp stay as they were") {
    nsr::test::require_root("the mount probes run in a throwaway namespace");
    // Inside a private namespace of the test's own, so that other tests
    // mounting meanwhile cannot change what is compared.
    const Output r = run_shell(
        "exec unshare --mount --propagation private sh -c '"
        "mount -t tmpfs tmpfs /tmp && touch /tmp/mine && "
        "cat /proc/self/mountinfo > /tmp/before && ls -A /tmp > /tmp/ls-before && " +
            std::string(NSR_BINARY) +
            " features > /dev/null && "
            "cat /proc/self/mountinfo | cmp - /tmp/before && ls -A /tmp | cmp - /tmp/ls-before'",
        nsr::test::kMerged);
    INFO(r.out);
    CHECK(r.status == 0);
}

TEST_CASE("features as nobody: the probes that mount say unknown (needs root)") {
    nsr::test::require_root("the test drops to uid 65534 with setpriv");
    NobodysBinary bin;
    const Output j = run_shell(kAsNobody + bin.path + " features --json");
    INFO(j.out << j.err);
    REQUIRE(j.status == 0);
    const auto doc = nlohmann::json::parse(j.out);
    for (const auto& f : doc.at("features")) {
        INFO(f.dump());
        if (f.at("needs_root") == true) {
            CHECK(f.at("available").is_null());
            CHECK(f.at("detail") == "needs root");
        } else {
            CHECK(f.at("detail") != "needs root");
        }
    }
    // statx, statmount, listmount and openat2 need no privilege.
    if (release_number() >= 608) {
        CHECK(feature(doc, "statmount").at("available") == true);
        CHECK(feature(doc, "openat2").at("available") == true);
    }
    const Output t = run_shell(kAsNobody + bin.path + " features");
    REQUIRE(t.status == 0);
    CHECK(t.out.find("MOVE_MOUNT_BENEATH (move_mount): unknown (needs root)\n") !=
          std::string::npos);
}
