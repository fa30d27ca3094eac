#include "cmd/plan_diff.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "profile/fstab.hpp"

using namespace nsr::cmd;
using namespace nsr::reconcile;

namespace {

nsr::profile::MountEntry entry(const std::string& line) {
    return nsr::profile::parse_profile(line, "test").entries.at(0);
}

PlannedChange planned(Action a, const std::string& line, bool needed = true,
                      const std::string& reason = "not checked") {
    return {{a, entry(line), std::nullopt}, needed, reason};
}

const std::string kA = "/snap/p/1/a /snap/foo/1/a none bind,ro 0 0";
const std::string kB = "/snap/p/1/b /snap/foo/1/b none bind,ro 0 0";
const std::string kC = "/snap/p/1/c /snap/foo/1/c none bind,ro 0 0";

}  // namespace

TEST_CASE("a plan that agrees with its expectation has no diff") {
    std::vector<ExpectedChange> exp = {{"keep", kA, {}, {}, {}}, {"mount", kB, {}, true, {}}};
    std::vector<PlannedChange> act = {planned(Action::Keep, kA), planned(Action::Mount, kB)};
    CHECK(plan_diff(exp, act).empty());
}

TEST_CASE("an expected entry may use any spelling of the same fstab line") {
    ExpectedChange e{"mount", "/snap/p/1/a\t/snap/foo/1/a  none bind,ro", {}, {}, {}};
    CHECK(agrees(e, planned(Action::Mount, kA)));
    e.entry = "/snap/p/1/a /snap/foo/1/a none ro,bind 0 0";
    CHECK_FALSE(agrees(e, planned(Action::Mount, kA)));
}

TEST_CASE("needed and reason are compared only where they are pinned") {
    ExpectedChange e{"mount", kA, {}, {}, {}};
    CHECK(agrees(e, planned(Action::Mount, kA, false, "already there")));
    e.needed = true;
    CHECK_FALSE(agrees(e, planned(Action::Mount, kA, false, "already there")));
    e.needed = false;
    e.reason = "already there";
    CHECK(agrees(e, planned(Action::Mount, kA, false, "already there")));
    e.reason = "something else";
    CHECK_FALSE(agrees(e, planned(Action::Mount, kA, false, "already there")));
}

TEST_CASE("a replace agrees only with the same replaced entry") {
    PlannedChange p{{Action::Replace, entry(kA), entry(kB)}, true, ""};
    CHECK(agrees({"replace", kA, kB, {}, {}}, p));
    CHECK_FALSE(agrees({"replace", kA, kC, {}, {}}, p));
    CHECK_FALSE(agrees({"replace", kA, {}, {}, {}}, p));
    CHECK_FALSE(agrees({"mount", kA, {}, {}, {}}, planned(Action::Replace, kA)));
}

TEST_CASE("a mismatch names the first differing change and shows both sides") {
    std::vector<ExpectedChange> exp = {
        {"keep", kA, {}, {}, {}}, {"mount", kB, {}, false, {}}, {"mount", kC, {}, {}, {}}};
    std::vector<PlannedChange> act = {planned(Action::Keep, kA),
                                      planned(Action::Mount, kB, true, "nothing is mounted"),
                                      planned(Action::Mount, kC)};
    const std::string d = plan_diff(exp, act);
    INFO(d);
    CHECK(d.starts_with("the plan differs from expected at change #2 (3 expected, 3 planned)\n"));
    CHECK(d.find("  #1  keep     " + kA) != std::string::npos);
    CHECK(d.find("- #2  mount    " + kB + "  [not needed]\n") != std::string::npos);
    CHECK(d.find("+ #2  mount    " + kB + "  [needed: nothing is mounted]\n") != std::string::npos);
    CHECK(d.find("  #3  mount    " + kC) != std::string::npos);
}

TEST_CASE("a missing or an extra change shows as one line, the rest stays aligned") {
    std::vector<ExpectedChange> exp = {{"mount", kA, {}, {}, {}}, {"mount", kC, {}, {}, {}}};
    std::vector<PlannedChange> act = {planned(Action::Mount, kA), planned(Action::Mount, kB),
                                      planned(Action::Mount, kC)};
    const std::string extra = plan_diff(exp, act);
    INFO(extra);
    CHECK(extra.starts_with("the plan differs from expected at change #2 (2 expected, 3 planned)"));
    CHECK(extra.find("+ #2  mount    " + kB) != std::string::npos);
    CHECK(extra.find("  #3  mount    " + kC) != std::string::npos);
    CHECK(extra.find("\n- #") == std::string::npos);

    act.pop_back();
    act.pop_back();
    const std::string missing = plan_diff(exp, act);
    INFO(missing);
    CHECK(
        missing.starts_with("the plan differs from expected at change #2 (2 expected, 1 planned)"));
    CHECK(missing.find("- #2  mount    " + kC) != std::string::npos);
}

TEST_CASE("an expected entry that is not an fstab line is an error, not a mismatch") {
    CHECK_THROWS_AS(agrees({"mount", "only two", {}, {}, {}}, planned(Action::Mount, kA)),
                    std::runtime_error);
}
