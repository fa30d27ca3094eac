// The new current profile from a plan and its outcomes alone: each rule of
// build_new_current on hand-made outcomes, with no kernel and no root.
#include "reconcile/new_current.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "profile/fstab.hpp"

using nsr::profile::MountEntry;
using nsr::profile::MountProfile;
using namespace nsr::reconcile;

namespace {

// Parsed at start-up, before any test runs: no doctest assertion here.
MountEntry entry(std::string_view line) {
    return nsr::profile::parse_profile(line, "test").entries.at(0);
}

const MountEntry kA = entry("/src/a /a none bind,ro 0 0");
const MountEntry kB = entry("/src/b /b none bind,ro 0 0");
const MountEntry kC = entry("/src/c /c none bind,ro 0 0");
const MountEntry kNewC = entry("/src/c2 /c none bind,ro 0 0");
const MountEntry kD = entry("/src/d /d none bind,ro 0 0");
const MountEntry kMimic = entry("tmpfs /e tmpfs x-snapd.synthetic,x-snapd.needed-by=/e/f 0 0");
const MountEntry kLayout = entry("/src/f /e/f none rbind,rw,x-snapd.origin=layout 0 0");

Change keep(const MountEntry& e) {
    return {Action::Keep, e, std::nullopt};
}
Change unmount(const MountEntry& e) {
    return {Action::Unmount, e, std::nullopt};
}
Change mount(const MountEntry& e) {
    return {Action::Mount, e, std::nullopt};
}
Change replace(const MountEntry& e, const MountEntry& old) {
    return {Action::Replace, e, old};
}

Outcome outcome(const Change& c, Status s, bool remains = false) {
    return {&c, s, "", {}, remains};
}

// The dirs of P's entries, in order, as one string.
std::string dirs(const MountProfile& p) {
    std::string out;
    for (const auto& e : p.entries)
        out += (out.empty() ? "" : " ") + e.dir;
    return out;
}

// Outcome I of PLAN with status S, every other one done.
std::vector<Outcome> done_but(const std::vector<Change>& plan, size_t i, Status s, bool remains) {
    std::vector<Outcome> out;
    for (size_t j = 0; j < plan.size(); ++j)
        out.push_back(outcome(plan[j], j == i ? s : Status::Done, j == i && remains));
    return out;
}

}  // namespace

TEST_CASE("new current: kept entries in log order and then what the run mounted") {
    // The plan lists the current profile (A, B) in reverse log order.
    const std::vector<Change> plan{keep(kB), keep(kA), mount(kC)};
    std::vector<Outcome> outcomes{outcome(plan[0], Status::AlreadyDone),
                                  outcome(plan[1], Status::Done), outcome(plan[2], Status::Done)};
    CHECK(dirs(build_new_current(plan, outcomes, {})) == "/a /b /c");
}

TEST_CASE("new current: an unmounted entry goes and a mount already in place is recorded") {
    const std::vector<Change> plan{unmount(kB), keep(kA), mount(kC)};
    std::vector<Outcome> outcomes{outcome(plan[0], Status::Done),
                                  outcome(plan[1], Status::AlreadyDone),
                                  outcome(plan[2], Status::AlreadyDone)};
    CHECK(dirs(build_new_current(plan, outcomes, {})) == "/a /c");
}

TEST_CASE("new current: a failed or skipped mount is not recorded") {
    const std::vector<Change> plan{mount(kA), mount(kB)};
    std::vector<Outcome> outcomes{outcome(plan[0], Status::Failed),
                                  outcome(plan[1], Status::Skipped)};
    CHECK(dirs(build_new_current(plan, outcomes, {})) == "");
}

TEST_CASE("new current: a failed keep stays only while its mount remains") {
    const std::vector<Change> plan{keep(kB), keep(kA)};
    CHECK(dirs(build_new_current(plan, done_but(plan, 0, Status::Failed, false), {})) == "/a");
    CHECK(dirs(build_new_current(plan, done_but(plan, 0, Status::Failed, true), {})) == "/a /b");
}

TEST_CASE("new current: a failed unmount stays in its place while its mount remains") {
    const std::vector<Change> plan{keep(kC), unmount(kB), keep(kA)};
    CHECK(dirs(build_new_current(plan, done_but(plan, 1, Status::Failed, true), {})) == "/a /b /c");
    CHECK(dirs(build_new_current(plan, done_but(plan, 1, Status::Failed, false), {})) == "/a /c");
}

TEST_CASE("new current: a failed replacement keeps the old entry while it remains") {
    const std::vector<Change> plan{keep(kA), replace(kNewC, kC)};
    // The plan lists C before A in the log (it is in reverse order).
    const MountProfile kept = build_new_current(plan, done_but(plan, 1, Status::Failed, true), {});
    CHECK(dirs(kept) == "/c /a");
    REQUIRE(kept.entries.size() == 2);
    CHECK(kept.entries[0].name == "/src/c");
    CHECK(dirs(build_new_current(plan, done_but(plan, 1, Status::Failed, false), {})) == "/a");
    const MountProfile done = build_new_current(plan, done_but(plan, 9, Status::Done, false), {});
    REQUIRE(done.entries.size() == 2);
    CHECK(done.entries[1].name == "/src/c2");
}

TEST_CASE("new current: mimic entries a change made come before it even when it failed") {
    const std::vector<Change> plan{keep(kA), mount(kLayout)};
    std::vector<Outcome> outcomes = done_but(plan, 9, Status::Done, false);
    outcomes[1].synthesized = {kMimic};
    CHECK(dirs(build_new_current(plan, outcomes, {})) == "/a /e /e/f");
    outcomes[1].status = Status::Failed;
    CHECK(dirs(build_new_current(plan, outcomes, {})) == "/a /e");
}

TEST_CASE("new current: after a fatal stop what was not reached is as it was") {
    // The layout (position 1) failed and stopped the run: D's unmount and
    // C's replacement were not reached, so D and the old C are still
    // there; A's mount was carried out with an earlier change, so it
    // counts as done.
    const std::vector<Change> plan{keep(kB), mount(kLayout), unmount(kD), replace(kNewC, kC),
                                   mount(kA)};
    std::vector<Outcome> outcomes{outcome(plan[0], Status::AlreadyDone),
                                  outcome(plan[1], Status::Failed)};
    const MountProfile p = build_new_current(plan, outcomes, {4});
    CHECK(dirs(p) == "/c /d /b /a");
    REQUIRE(p.entries.size() == 4);
    CHECK(p.entries[0].name == "/src/c");
    CHECK(dirs(build_new_current(plan, outcomes, {})) == "/c /d /b");
}

TEST_CASE("new current: every entry is written without its source line") {
    MountEntry a = kA;
    a.line = 7;
    const std::vector<Change> plan{keep(a), mount(kB)};
    const MountProfile p = build_new_current(plan, done_but(plan, 9, Status::Done, false), {});
    REQUIRE(p.entries.size() == 2);
    CHECK(p.entries[0].line == 0);
    CHECK(p.entries[1].line == 0);
}
