#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "profile/xsnapd.hpp"
#include "tests/support/thrown.hpp"

using namespace nsr::profile;

namespace {

MountEntry with(std::vector<std::string> options) {
    return MountEntry{"none", "/dir", "none", std::move(options)};
}

std::string error_of(auto accessor, const MountEntry& e) {
    return nsr::test::thrown_message<std::invalid_argument>([&] { accessor(e); }, "no error");
}

// Options, and what an accessor reads from them.
template <typename T>
using Cases = std::vector<std::pair<std::vector<std::string>, T>>;

template <typename T>
void check_each(T (*accessor)(const MountEntry&), const Cases<T>& cases) {
    for (const auto& [options, want] : cases) {
        const std::string option = options.empty() ? "(no option)" : options.front();
        CAPTURE(option);
        CHECK(accessor(with(options)) == want);
    }
}

}  // namespace

TEST_CASE("kind is Directory when absent and names the four known kinds") {
    check_each<EntryKind>(kind, {
                                    {{}, EntryKind::Directory},
                                    {{"x-snapd.kind="}, EntryKind::Directory},
                                    {{"x-snapd.kind=file"}, EntryKind::File},
                                    {{"x-snapd.kind=symlink"}, EntryKind::Symlink},
                                    {{"x-snapd.kind=ensure-dir"}, EntryKind::EnsureDir},
                                    {{"x-snapd.kind=directory"}, EntryKind::Unknown},
                                    {{"x-snapd.kind=File"}, EntryKind::Unknown},
                                });
    CHECK(kind_name(with({"x-snapd.kind=weird"})) == "weird");
    CHECK(kind_name(with({})) == "");
}

TEST_CASE("origin is None when absent and names the three known origins") {
    check_each<Origin>(origin, {
                                   {{}, Origin::None},
                                   {{"x-snapd.origin=layout"}, Origin::Layout},
                                   {{"x-snapd.origin=overname"}, Origin::Overname},
                                   {{"x-snapd.origin=rootfs"}, Origin::Rootfs},
                                   {{"x-snapd.origin=content"}, Origin::Unknown},
                               });
    CHECK(origin_name(with({"x-snapd.origin=content"})) == "content");
}

TEST_CASE("flag options are present only as whole options") {
    auto e = with({"x-snapd.synthetic", "x-snapd.detach", "x-snapd.ignore-missing", "rbind"});
    CHECK(is_synthetic(e));
    CHECK(is_detach(e));
    CHECK(is_ignore_missing(e));
    CHECK(is_bind(e));
    CHECK(is_rbind(e));
    auto f = with({"x-snapd.synthetic=1", "bind"});
    CHECK_FALSE(is_synthetic(f));
    CHECK_FALSE(is_detach(f));
    CHECK_FALSE(is_ignore_missing(f));
    CHECK(is_bind(f));
    CHECK_FALSE(is_rbind(f));
    CHECK_FALSE(is_bind(with({"ro"})));
}

TEST_CASE("entry_id is x-snapd.id or else the dir") {
    CHECK(entry_id(with({})) == "/dir");
    CHECK(entry_id(with({"x-snapd.id=foo"})) == "foo");
}

TEST_CASE("string accessors return the option value or nothing") {
    auto e = with({"x-snapd.needed-by=/a", "x-snapd.symlink=../t", "x-snapd.must-exist-dir=$HOME"});
    CHECK(needed_by(e) == "/a");
    CHECK(symlink_target(e) == "../t");
    CHECK(must_exist_dir(e) == "$HOME");
    CHECK_FALSE(needed_by(with({})).has_value());
    CHECK_FALSE(symlink_target(with({})).has_value());
    CHECK_FALSE(must_exist_dir(with({})).has_value());
}

TEST_CASE("mode accepts 0 and 3 or 4 octal digits") {
    CHECK_FALSE(mode(with({})).has_value());
    CHECK(mode(with({"x-snapd.mode=0755"})) == 0755);
    CHECK(mode(with({"x-snapd.mode=0000"})) == 0);
    CHECK(mode(with({"x-snapd.mode=01777"})) == 01777);
    CHECK(mode(with({"x-snapd.mode=07777"})) == 07777);
}

TEST_CASE("mode rejects anything else, naming option and value") {
    for (const char* bad :
         {"755", "0755x", "0758", "00", "0", "", "017777", "1755", "-0755", "0x1ff", " 0755"}) {
        CAPTURE(bad);
        CHECK(error_of(mode, with({std::string("x-snapd.mode=") + bad})) ==
              std::string("invalid x-snapd.mode \"") + bad +
                  "\": expected 0 and 3 or 4 octal digits");
    }
}

TEST_CASE("uid and gid accept plain decimal numbers only") {
    CHECK_FALSE(uid(with({})).has_value());
    CHECK(uid(with({"x-snapd.uid=0"})) == 0u);
    CHECK(uid(with({"x-snapd.uid=1000"})) == 1000u);
    CHECK(gid(with({"x-snapd.gid=4294967294"})) == 4294967294u);
    for (const char* bad :
         {"", "root", "-1", "+1", "1e3", "0x10", " 1", "4294967295", "99999999999999999999"}) {
        CAPTURE(bad);
        CHECK(error_of(uid, with({std::string("x-snapd.uid=") + bad})) ==
              std::string("invalid x-snapd.uid \"") + bad +
                  "\": expected a decimal number below 4294967295");
        CHECK(error_of(gid, with({std::string("x-snapd.gid=") + bad})) ==
              std::string("invalid x-snapd.gid \"") + bad +
                  "\": expected a decimal number below 4294967295");
    }
}

TEST_CASE("same_but_detach: equal but for x-snapd.detach, wherever it stands") {
    const MountEntry e{"/src", "/dir", "none", {"bind", "ro"}};
    auto changed = [&](auto edit) {
        MountEntry c = e;
        edit(c);
        return c;
    };
    CHECK(same_but_detach(e, e));
    CHECK(
        same_but_detach(e, changed([](MountEntry& c) { c.options.push_back("x-snapd.detach"); })));
    CHECK(same_but_detach(
        changed([](MountEntry& c) { c.options.insert(c.options.begin(), "x-snapd.detach"); }), e));
    CHECK(same_but_detach(e, changed([](MountEntry& c) { c.dir = "/dir/"; })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.options = {"ro", "bind"}; })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.options.push_back("x"); })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.options.pop_back(); })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.name = "/other"; })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.dir = "/dir2"; })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.type = "tmpfs"; })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.freq = 1; })));
    CHECK_FALSE(same_but_detach(e, changed([](MountEntry& c) { c.passno = 2; })));
}

TEST_CASE("option_view and option_value read the first key=value option") {
    const MountEntry e = with({"x-snapd.keyx=no", "x-snapd.key=one", "x-snapd.key=two", "flag"});
    REQUIRE(e.option_view("x-snapd.key"));
    CHECK(*e.option_view("x-snapd.key") == "one");
    CHECK(e.option_value("x-snapd.key") == std::optional<std::string>("one"));
    CHECK_FALSE(e.option_view("flag"));
    CHECK_FALSE(e.option_value("missing"));
    CHECK(with({"x-snapd.key="}).option_view("x-snapd.key") == std::optional<std::string_view>(""));
}
