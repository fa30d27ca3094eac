// The compact text form of plans, outcomes and drift (cmd/text_report.hpp),
// built from hand-made changes so that every marker and every summary word
// is seen; no root, no namespace.
#include "cmd/text_report.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>
#include <deque>

#include "profile/fstab.hpp"

namespace {

using nsr::cmd::TextStyle;
using nsr::profile::MountEntry;
using nsr::reconcile::Action;
using nsr::reconcile::Outcome;
using nsr::reconcile::PlannedChange;
using nsr::reconcile::Status;

MountEntry entry(const std::string& line) {
    return nsr::profile::parse_profile(line, "test").entries.at(0);
}

PlannedChange planned(Action a, const std::string& line, bool needed = true,
                      std::optional<std::string> replaces = std::nullopt) {
    PlannedChange p{{a, entry(line), std::nullopt}, needed, "because"};
    if (replaces)
        p.change.replaces = entry(*replaces);
    return p;
}

// An outcome points at its change (a run's Result::plan holds them): here
// they are kept for the whole test program, at stable addresses.
Outcome outcome(Action a, const std::string& line, Status s, std::string detail = "") {
    static std::deque<nsr::reconcile::Change> changes;
    changes.push_back({a, entry(line), std::nullopt});
    return {&changes.back(), s, std::move(detail), {}};
}

}  // namespace

TEST_CASE("entry_brief: source -> mount point, the kind and the options a reader needs") {
    using nsr::cmd::entry_brief;
    CHECK(entry_brief(entry("/snap/p/1/lib /snap/a/1/lib none bind,ro,x-snapd.detach 0 0")) ==
          "/snap/p/1/lib -> /snap/a/1/lib (bind, ro)");
    CHECK(
        entry_brief(entry("/s /etc/a.conf none bind,rw,x-snapd.kind=file,x-snapd.origin=layout")) ==
        "/s -> /etc/a.conf (bind file, rw, x-snapd.origin=layout)");
    CHECK(entry_brief(entry("tmpfs /var/lib/x tmpfs mode=0755,x-snapd.id=7 0 0")) ==
          "tmpfs -> /var/lib/x (tmpfs, mode=0755)");
    CHECK(entry_brief(entry("none /etc/l none x-snapd.kind=symlink,x-snapd.symlink=/snap/a/t")) ==
          "/snap/a/t -> /etc/l (symlink)");
    CHECK(entry_brief(entry(
              "none /home/u/.a none x-snapd.kind=ensure-dir,x-snapd.must-exist-dir=/home/u")) ==
          "/home/u/.a (ensure-dir, below /home/u)");
    CHECK(entry_brief(entry("none /x none x-snapd.kind=odd")) == "none -> /x (x-snapd.kind=odd)");
    // Escaped as in a profile, so a path with a space or newline stays one line.
    CHECK(entry_brief(entry("/a\\040b /c\\012d none bind 0 0")) == "/a\\040b -> /c\\012d (bind)");
}

TEST_CASE("replace_brief: only what differs from the replaced entry") {
    using nsr::cmd::replace_brief;
    CHECK(replace_brief(entry("/p/3/lib /a none bind,ro"), entry("/p/2/lib /a none bind,ro")) ==
          "/p/3/lib -> /a (was /p/2/lib)");
    CHECK(replace_brief(entry("tmpfs /a tmpfs mode=0700"), entry("tmpfs /a tmpfs mode=0755")) ==
          "tmpfs -> /a (+mode=0700, -mode=0755)");
    CHECK(replace_brief(entry("/s /a none rbind,ro"), entry("/s /a none bind,ro")) ==
          "/s -> /a (rbind, was bind)");
    CHECK(replace_brief(entry("/s /a none bind 1 2"), entry("/s /a none bind 0 0")) ==
          "/s -> /a (dump 1, was 0, pass 2, was 0)");
    // Only bookkeeping differs: it is named rather than nothing.
    CHECK(replace_brief(entry("/s /a none bind,x-snapd.id=b"),
                        entry("/s /a none bind,x-snapd.id=a,x-snapd.detach")) ==
          "/s -> /a (+x-snapd.id=b, -x-snapd.id=a)");
}

TEST_CASE("plan_text: a marker a change, unchanged entries counted, a summary line") {
    const std::vector<PlannedChange> plan = {
        planned(Action::Keep, "/k /k none bind", false),
        planned(Action::Keep, "/m /m none bind", true),
        planned(Action::Unmount, "/u /u none bind,x-snapd.detach"),
        planned(Action::Unmount, "/gone /gone none bind", false),
        planned(Action::Replace, "/n /r none bind", true, "/o /r none bind,x-snapd.detach"),
        planned(Action::Mount, "/a /a none bind,ro"),
        planned(Action::Mount, "/b /b none bind,ro"),
    };
    CHECK(nsr::cmd::plan_text(plan, true, {}) ==
          "! /m -> /m (bind)\n"
          "- /u -> /u (bind)\n"
          "~ /n -> /r (was /o)\n"
          "+ /a -> /a (bind, ro)\n"
          "+ /b -> /b (bind, ro)\n"
          "2 to mount, 1 to mount again, 1 to replace, 1 to unmount, 1 unchanged, "
          "1 already done\n");
    CHECK(nsr::cmd::plan_text(plan, true, {.all = true}) ==
          "  /k -> /k (bind)\n"
          "! /m -> /m (bind)\n"
          "- /u -> /u (bind)\n"
          "  /gone -> /gone (bind) (already unmounted)\n"
          "~ /n -> /r (was /o)\n"
          "+ /a -> /a (bind, ro)\n"
          "+ /b -> /b (bind, ro)\n"
          "2 to mount, 1 to mount again, 1 to replace, 1 to unmount, 1 unchanged, "
          "1 already done\n");
    // Without a mount table nothing was checked: a kept entry is unchanged.
    CHECK(nsr::cmd::plan_text({planned(Action::Keep, "/m /m none bind", true)}, false, {}) ==
          "nothing to change, 1 unchanged\n");
    CHECK(nsr::cmd::plan_text({}, true, {}) == "nothing to change, 0 unchanged\n");
}

TEST_CASE("plan_text: a mimic's tmpfs and bind-backs are one line") {
    const std::string by = "x-snapd.synthetic,x-snapd.needed-by=/usr/share/app";
    const std::vector<PlannedChange> plan = {
        planned(Action::Unmount, "/usr/share/a /usr/share/a none rbind," + by),
        planned(Action::Unmount, "/usr/share/b /usr/share/b none rbind," + by),
        planned(Action::Unmount, "tmpfs /usr/share tmpfs mode=0755," + by),
        planned(Action::Unmount, "/snap/app/1/x /usr/share/app none rbind,x-snapd.origin=layout"),
    };
    CHECK(nsr::cmd::plan_text(plan, true, {}) ==
          "- mimic at /usr/share (tmpfs, 2 entries bound back)\n"
          "- /snap/app/1/x -> /usr/share/app (rbind, x-snapd.origin=layout)\n"
          "2 to unmount, 0 unchanged\n");
}

TEST_CASE("outcomes_text: what apply did, with failures and the mimics it built") {
    auto built = outcome(Action::Mount, "/snap/a/1/p /usr/share/p none rbind,x-snapd.origin=layout",
                         Status::Done);
    const std::string by = "x-snapd.synthetic,x-snapd.needed-by=/usr/share/p";
    built.synthesized = {entry("tmpfs /usr/share tmpfs mode=0755," + by),
                         entry("/usr/share/a /usr/share/a none rbind," + by)};
    const std::vector<Outcome> outcomes = {
        outcome(Action::Keep, "/k /k none bind", Status::AlreadyDone, "in place"),
        outcome(Action::Keep, "/m /m none bind", Status::Done, "re-mounted: missing"),
        built,
        outcome(Action::Mount, "/s /s none bind,x-snapd.ignore-missing", Status::Skipped,
                "mount source or target is missing"),
        outcome(Action::Mount, "/f /f none bind", Status::Failed, "cannot mount: EPERM"),
        outcome(Action::Unmount, "/u /u none bind", Status::AlreadyDone, "gone"),
    };
    CHECK(nsr::cmd::outcomes_text(outcomes, {}) ==
          "! /m -> /m (bind)\n"
          "+ mimic at /usr/share (tmpfs, 1 entry bound back)\n"
          "+ /snap/a/1/p -> /usr/share/p (rbind, x-snapd.origin=layout)\n"
          "? /s -> /s (bind, x-snapd.ignore-missing): skipped\n"
          "x mount /f -> /f (bind): cannot mount: EPERM\n"
          "1 mounted, 1 mounted again, 1 mimic built, 1 unchanged, 1 already done, "
          "1 skipped, 1 failed\n");
    CHECK(nsr::cmd::outcomes_text({outcomes[0]}, {}) == "nothing changed, 1 unchanged\n");
}

TEST_CASE("colour: on the markers only, never with NO_COLOR or off a terminal") {
    const std::vector<PlannedChange> plan = {planned(Action::Mount, "/a /a none bind")};
    CHECK(nsr::cmd::plan_text(plan, true, {.colour = true}) ==
          "\033[32m+\033[0m /a -> /a (bind)\n1 to mount, 0 unchanged\n");
    ::setenv("NO_COLOR", "1", 1);
    CHECK_FALSE(nsr::cmd::colour_wanted(0));
    ::unsetenv("NO_COLOR");
    // A pipe is not a terminal.
    int p[2];
    REQUIRE(::pipe(p) == 0);
    CHECK_FALSE(nsr::cmd::colour_wanted(p[1]));
    ::close(p[0]);
    ::close(p[1]);
}

TEST_CASE("drift_text: missing, different and extra, then the summary") {
    using Type = nsr::reconcile::DriftType;
    nsr::reconcile::DriftReport r;
    r.checked = 3;
    CHECK(nsr::cmd::drift_text(r, {}) == "in step: 3 entries checked\n");
    r.items = {{Type::Missing, "/a", entry("/s /a none bind,ro"), "nothing is mounted at /a"},
               {Type::Differs, "/b", entry("tmpfs /b tmpfs mode=0700"), "found tmpfs mode=755"},
               {Type::Extra, "/c", std::nullopt, "tmpfs 0:9 / (rw) is not in the profile"}};
    CHECK(nsr::cmd::drift_text(r, {}) ==
          "- /s -> /a (bind, ro): missing\n"
          "~ tmpfs -> /b (tmpfs, mode=0700): found tmpfs mode=755\n"
          "+ /c: tmpfs 0:9 / (rw) is not in the profile\n"
          "drifted: 1 missing, 1 different, 1 extra (3 entries checked)\n");
}

TEST_CASE("reason_lines: every verdict and outcome with its reason, for -v") {
    CHECK(nsr::cmd::reason_lines({planned(Action::Mount, "/a /a none bind", false)}) ==
          std::vector<std::string>{"mount /a /a none bind 0 0: already done: because"});
    auto o = outcome(Action::Mount, "/a /a none bind", Status::Done, "mounted beneath");
    o.synthesized = {entry("tmpfs / tmpfs x-snapd.synthetic")};
    CHECK(nsr::cmd::reason_lines(std::vector<Outcome>{o}) ==
          std::vector<std::string>{"mount /a /a none bind 0 0: done: mounted beneath",
                                   "  made for it: tmpfs / tmpfs x-snapd.synthetic 0 0"});
}
