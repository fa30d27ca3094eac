// Nested layouts: a layout bind at R/base/share (read-only content) and a
// symlink layout inside it, which needs a mimic tmpfs over the bind at the
// same directory. A mimic replicates what it covers, so when the layout
// under it changes, goes or comes, the mimic must be made again. After
// each change of profile the namespace must be the one a fresh apply of
// the new profile makes.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/integration/report.hpp"
#include "tests/integration/sandbox.hpp"

using namespace nsr::integration;

namespace {

struct Layouts {
    explicit Layouts(const Sandbox& sb) : share(sb.path("base/share")), sb_(sb) {}
    // The layout bind, from revision REV of the provider.
    std::string bind(int rev) const {
        return sb_.path("snap/provider/" + std::to_string(rev) + "/lib") + " " + share +
               " none rbind,rw,x-snapd.origin=layout 0 0";
    }
    std::string link() const {
        return "none " + share +
               "/newlink none x-snapd.kind=symlink,x-snapd.symlink=/target,x-snapd.origin=layout "
               "0 0";
    }
    std::string share;

  private:
    const Sandbox& sb_;
};

// What the application sees under R/base/share and what is mounted below
// R, with R taken out so that two sandboxes compare.
std::string seen(const Sandbox& sb) {
    const std::string share = sb.path("base/share");
    std::string out = sb.app_sh("ls -A " + share + "; readlink " + share + "/newlink; cat " +
                                share + "/marker 2>/dev/null; echo")
                          .out;
    std::vector<std::string> mounts;
    for (const auto& m : sb.app_mounts()) {
        if (m.mount_point.starts_with(sb.root() + "/base"))
            mounts.push_back(m.mount_point.substr(sb.root().size()) + " " + m.fstype + " " +
                             m.root);
    }
    std::sort(mounts.begin(), mounts.end());
    for (const auto& m : mounts)
        out += m + "\n";
    return out;
}

// Applies each of PROFILES in turn, then once more to check that nothing
// is left to do; returns what is seen then.
std::string apply_in_turn(const std::vector<std::vector<std::string>>& profiles,
                          const Sandbox& sb) {
    for (const auto& p : profiles) {
        sb.set_desired(fstab(p));
        const Output o = sb.apply();
        INFO("stdout: " << o.out << "\nstderr: " << o.err);
        REQUIRE(o.status == 0);
    }
    const Output again = sb.apply({"--json"});
    for (const auto& c : parse_report(again.out)) {
        CAPTURE(c.entry);
        CHECK(c.outcome == "already done");
    }
    return seen(sb);
}

}  // namespace

TEST_CASE("a nested layout's mimic is made again when the layout under it changes") {
    Sandbox history;
    Sandbox fresh;
    const Layouts h(history);
    const Layouts f(fresh);
    std::vector<std::vector<std::string>> steps;
    std::vector<std::string> last;
    SUBCASE("the layout under the mimic is refreshed") {
        steps = {{h.bind(1), h.link()}, {h.bind(2), h.link()}};
        last = {f.bind(2), f.link()};
    }
    SUBCASE("the layout under the mimic goes") {
        steps = {{h.bind(1), h.link()}, {h.link()}};
        last = {f.link()};
    }
    SUBCASE("a layout comes under the mimic") {
        steps = {{h.link()}, {h.bind(1), h.link()}};
        last = {f.bind(1), f.link()};
    }
    const std::string expected = apply_in_turn({last}, fresh);
    CHECK(apply_in_turn(steps, history) == expected);
}
