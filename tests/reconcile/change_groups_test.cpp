// Which changes of a plan the executor makes together with another one.
#include "reconcile/change_groups.hpp"

#include <doctest/doctest.h>

#include <map>
#include <vector>

namespace nsr::reconcile {

namespace {

Change mount(const std::string& src, const std::string& dir, std::vector<std::string> opts = {}) {
    opts.insert(opts.begin(), "bind");
    return {Action::Mount, {src, dir, "none", opts, 0, 0, 0}, std::nullopt};
}

Change replace(const std::string& src, const std::string& dir, const std::string& old_src) {
    return {Action::Replace,
            {src, dir, "none", {"bind"}, 0, 0, 0},
            profile::MountEntry{old_src, dir, "none", {"bind"}, 0, 0, 0}};
}

Change unmount(const std::string& name, const std::string& dir, const std::string& type) {
    return {Action::Unmount,
            {name, dir, type, {type == "tmpfs" ? "x-snapd.synthetic" : "bind"}, 0, 0, 0},
            std::nullopt};
}

}  // namespace

TEST_CASE("a replacement carries the later mounts below it, in plan order") {
    const std::vector<Change> plan{
        replace("/p/2", "/a", "/p/1"), mount("/q", "/a/b"), mount("/z", "/elsewhere"),
        mount("/r", "/a/b/c"),         mount("/t", "/ab"),
    };
    CHECK(ChangeGroups(plan).mounts_carried_by(0) == std::vector<size_t>{1, 3});
}

TEST_CASE("a replacement stops carrying at a change below it that cannot go") {
    SUBCASE("a symlink") {
        const std::vector<Change> plan{
            replace("/p/2", "/a", "/p/1"),
            mount("/q", "/a/b"),
            {Action::Mount,
             {"none", "/a/l", "none", {"x-snapd.kind=symlink", "x-snapd.symlink=/x"}, 0, 0, 0},
             std::nullopt},
            mount("/r", "/a/c"),
        };
        CHECK(ChangeGroups(plan).mounts_carried_by(0) == std::vector<size_t>{1});
    }
    SUBCASE("propagation options") {
        const std::vector<Change> plan{replace("/p/2", "/a", "/p/1"),
                                       mount("/q", "/a/b", {"rshared"}), mount("/r", "/a/c")};
        CHECK(ChangeGroups(plan).mounts_carried_by(0).empty());
    }
    SUBCASE("a source below the replaced mount point") {
        const std::vector<Change> plan{replace("/p/2", "/a", "/p/1"), mount("/a/x", "/a/b")};
        CHECK(ChangeGroups(plan).mounts_carried_by(0).empty());
    }
    SUBCASE("a source below a mount point changed in between") {
        const std::vector<Change> plan{replace("/p/2", "/a", "/p/1"), mount("/q", "/z"),
                                       mount("/z/x", "/a/b")};
        CHECK(ChangeGroups(plan).mounts_carried_by(0).empty());
    }
}

TEST_CASE("unmounts right before a tmpfs's unmount, below it, leave with it") {
    const std::vector<Change> plan{
        unmount("/p", "/other", "none"),   unmount("/p", "/m/new", "none"),
        unmount("/m/o1", "/m/o1", "none"), unmount("/m/data", "/m/data", "none"),
        unmount("tmpfs", "/m", "tmpfs"),   unmount("tmpfs", "/n", "tmpfs"),
        unmount("/k/x", "/k/x", "none"),   mount("/y", "/k/y"),
        unmount("tmpfs", "/k", "tmpfs"),
    };
    CHECK(ChangeGroups(plan).unmounts_leaving_with() ==
          std::map<size_t, size_t>{{1, 4}, {2, 4}, {3, 4}});
}

TEST_CASE("unmounts of children a replacement mounts again unchanged leave with the old mount") {
    auto detached = [](Change c) {
        c.entry.options.push_back("x-snapd.detach");
        return c;
    };
    const std::vector<Change> plan{
        detached(unmount("/q", "/a/b", "none")),        // re-mounted unchanged: left
        detached(unmount("/r", "/a/c", "none")),        // re-mounted from elsewhere: unmounted
        detached(unmount("/s", "/a/gone", "none")),     // not re-mounted: unmounted
        detached(unmount("/u", "/elsewhere", "none")),  // not below the replacement
        replace("/p/2", "/a", "/p/1"),
        mount("/q", "/a/b"),
        mount("/r2", "/a/c"),
        mount("/u", "/elsewhere"),
    };
    CHECK(ChangeGroups(plan).unmounts_leaving_with() == std::map<size_t, size_t>{{0, 4}});
}

TEST_CASE(
    "an unmount that would leave with a tmpfs and with a replacement leaves with the latter") {
    auto detached = [](Change c) {
        c.entry.options.push_back("x-snapd.detach");
        return c;
    };
    auto tmpfs = [](Action a) {
        return Change{a, {"tmpfs", "/a/t", "tmpfs", {"mode=0755"}, 0, 0, 0}, std::nullopt};
    };
    const std::vector<Change> plan{
        detached(unmount("/q", "/a/t/b", "none")),  // re-mounted unchanged
        detached(unmount("/s", "/a/t/gone", "none")),
        tmpfs(Action::Unmount),
        replace("/p/2", "/a", "/p/1"),
        tmpfs(Action::Mount),
        mount("/q", "/a/t/b"),
    };
    CHECK(ChangeGroups(plan).unmounts_leaving_with() ==
          std::map<size_t, size_t>{{0, 3}, {1, 2}, {2, 3}});
}

TEST_CASE("an overlay with an upper dir never leaves with another change's detach") {
    auto overlay = [](Action a, const std::string& dir, const std::string& pair) {
        return Change{
            a, {"overlay", dir, "overlay", {"lowerdir=/l" + pair}, 0, 0, 0}, std::nullopt};
    };
    SUBCASE("with a tmpfs: the run stops at it") {
        const std::vector<Change> plan{
            unmount("/m/o1", "/m/o1", "none"),
            overlay(Action::Unmount, "/m/ov", ",upperdir=/u,workdir=/w"),
            unmount("/m/o2", "/m/o2", "none"),
            unmount("tmpfs", "/m", "tmpfs"),
        };
        CHECK(ChangeGroups(plan).unmounts_leaving_with() == std::map<size_t, size_t>{{2, 3}});
    }
    SUBCASE("with a replacement: it is unmounted on its own, and carried back") {
        const std::vector<Change> plan{
            overlay(Action::Unmount, "/a/ov", ",upperdir=/u,workdir=/w"),
            overlay(Action::Unmount, "/a/ro", ""),
            replace("/p/2", "/a", "/p/1"),
            overlay(Action::Mount, "/a/ov", ",upperdir=/u,workdir=/w"),
            overlay(Action::Mount, "/a/ro", ""),
        };
        const ChangeGroups groups(plan);
        CHECK(groups.unmounts_leaving_with() == std::map<size_t, size_t>{{1, 2}});
        CHECK(groups.mounts_carried_by(2) == std::vector<size_t>{3, 4});
    }
}

}  // namespace nsr::reconcile
