// `nsreconcile convert --from oci` as a user runs it: the real binary on a
// config.json next to real host directories.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scratch.hpp"

using nsr::test::run_binary;
using nsr::test::Scratch;
using nsr::test::write_file;

namespace {

void make_dir(const std::string& path) {
    REQUIRE(nsr::test::run({"mkdir", "-p", path}).status == 0);
}

}  // namespace

TEST_CASE("convert prints the profile on stdout and the skipped mounts on stderr") {
    Scratch s;
    make_dir(s / "bundle/rootfs/tmp");
    make_dir(s / "host/data");
    make_dir(s / "host/l1");
    make_dir(s / "host/l2");
    REQUIRE(nsr::test::run({"chmod", "1777", s / "bundle/rootfs/tmp"}).status == 0);
    REQUIRE(nsr::test::run({"ln", "-s", s / "host/data", s / "host/link"}).status == 0);
    write_file(s / "bundle/config.json", R"({"root": {"path": "rootfs"}, "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/data", "source": ")" +
                                             s / "host/link" + R"(",
         "options": ["rbind", "ro", "rprivate"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]},
        {"destination": "/ov", "type": "overlay", "source": "overlay",
         "options": ["lowerdir=)" + s / "host/l1" +
                                             ":" + s / "host/l2" + R"("]}]})");
    const auto r = run_binary({"convert", "--from", "oci", s / "bundle/config.json"});
    CHECK(r.status == 0);
    CHECK(r.out == s / "host/data" + " /data none rbind,ro,x-nsr.top-flags,rprivate 0 0\n" +
                       "tmpfs /tmp tmpfs nosuid,mode=1777 0 0\n" + "overlay /ov overlay lowerdir=" +
                       s / "host/l1" + ":" + s / "host/l2" + " 0 0\n");
    CHECK(r.err == "nsreconcile: " + s / "bundle/config.json" +
                       ": mounts[0]: skipped: proc at /proc is the container runtime's own\n");
    // What it prints is a profile lint accepts.
    write_file(s / "p.fstab", r.out);
    CHECK(run_binary({"lint", s / "p.fstab"}).status == 0);
}

TEST_CASE("convert: a bad spec exits 2 naming the index and the field") {
    Scratch s;
    write_file(s / "bad.json", R"({"mounts": [{"destination": "/a", "type": "tmpfs"},
                                                {"type": "tmpfs"}]})");
    auto r = run_binary({"convert", "--from", "oci", s / "bad.json"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "nsreconcile: " + s / "bad.json" + ": mounts[1].destination: missing\n");
    write_file(s / "broken.json", "{\"mounts\": [");
    r = run_binary({"convert", "--from", "oci", s / "broken.json"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("nsreconcile: " + s / "broken.json" + ": not valid JSON: "));
    r = run_binary({"convert", "--from", "oci", s / "missing.json"});
    CHECK(r.status == 2);
    CHECK(r.err ==
          "nsreconcile: cannot read " + s / "missing.json" + ": No such file or directory\n");
}

TEST_CASE("convert: usage errors") {
    auto r = run_binary({"convert", "x.json"});
    CHECK(r.status == 2);
    CHECK(r.err == "nsreconcile: convert needs --from oci (see 'nsreconcile --help')\n");
    r = run_binary({"convert", "--from", "docker", "x.json"});
    CHECK(r.status == 2);
    CHECK(r.err ==
          "nsreconcile: unknown input format 'docker' (expected oci) (see 'nsreconcile --help')\n");
}
