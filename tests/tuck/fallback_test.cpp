// When the kernel refuses to mount beneath, nsreconcile falls back to
// unmount-then-mount, ends in the right state, and says why in the debug
// log. The refusal is a real one: the old mount at DIR is a bind of DIR
// onto itself inside a shared parent, so it is a peer of its parent, and a
// mount beneath it would be propagated on top of it (README, "No empty
// window": Limits, Propagation).
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mntns/namespace.hpp"
#include "tests/support/scratch.hpp"
#include "tests/tuck/lab.hpp"

namespace nsr::tuck::test {

namespace {

void consumer_and_provider(Lab& lab) {
    lab.write("img/app/data/version", "old\n");
    lab.bind_ro("img/app", "snap/app/1");
    lab.write("img/p1/version", "p1\n");
    lab.bind_ro("img/p1", "snap/p/1");
}

std::string optional_field(const mountinfo::Mount& m, const std::string& prefix) {
    for (const auto& f : m.optional_fields) {
        if (f.starts_with(prefix))
            return f;
    }
    return "";
}

}  // namespace

TEST_CASE("fallback when the kernel refuses beneath: right result, reason in the debug log") {
    nsr::test::require_root("mounts in private namespaces");
    const Report r = run_lab(
        consumer_and_provider,
        [](Lab& lab) {
            const std::string dir = lab.path("snap/app/1/data");
            const std::string self = dir + " " + dir + " none bind,ro 0 0\n";
            const std::string provider = lab.path("snap/p/1") + " " + dir + " none bind,ro 0 0\n";
            Report r;
            const auto first = lab.apply(self);
            r.set("first_status", first.status);
            r.set("first_output", first.out);
            // What makes the kernel refuse: the old mount is its parent's
            // peer, and its root is DIR itself.
            auto before = lab.table();
            const auto* old = before.top_at(dir);
            const auto* parent = old ? before.by_id(old->parent_id) : nullptr;
            r.set("old_root", old ? old->root : "");
            r.set("old_group", old ? optional_field(*old, "shared:") : "");
            r.set("parent_group", parent ? optional_field(*parent, "shared:") : "");

            const auto second = lab.apply(provider, {"-v"});
            r.set("status", second.status);
            r.set("output", second.out);
            const auto after = lab.table();
            record_stack(r, after, dir, "dir");
            r.set("current_is_desired", lab.current() == provider ? 1 : 0);
            r.set("version", nsr::mntns::run_in(lab.ns_file(), [&] {
                      std::ifstream in(dir + "/version");
                      std::ostringstream s;
                      s << in.rdbuf();
                      return s.str();
                  }));
            r.set("dir", dir);
            return r;
        },
        [](const Lab& lab) {
            // Inside the application namespace, before it is preserved.
            const std::string parent = lab.path("snap/app/1");
            if (::mount(nullptr, parent.c_str(), nullptr, MS_SHARED, nullptr) != 0) {
                throw std::runtime_error("cannot make " + parent +
                                         " shared: " + std::strerror(errno));
            }
        });
    REQUIRE_MESSAGE(r.error().empty(), r.error());
    REQUIRE_MESSAGE(r.num("first_status") == 0, r.text("first_output"));
    REQUIRE(r.text("old_root") == "/img/app/data");
    REQUIRE(!r.text("parent_group").empty());
    REQUIRE(r.text("old_group") == r.text("parent_group"));

    const std::string dir = r.text("dir");
    const std::string out = r.text("output");
    INFO(out);
    CHECK(r.num("status") == 0);
    CHECK(out.find("debug: replace at " + dir + ": the kernel refused to mount beneath") !=
          std::string::npos);
    CHECK(out.find("the parent mount at " + dir.substr(0, dir.rfind('/')) +
                   " propagates to the mount at " + dir) != std::string::npos);
    CHECK(out.find("unmounting the old mount first") != std::string::npos);
    CHECK(r.num("mounts_at_dir") == 1);
    CHECK(r.text("root_at_dir") == "/img/p1");
    CHECK(r.num("current_is_desired") == 1);
    CHECK(r.text("version") == "p1\n");
}

}  // namespace nsr::tuck::test
