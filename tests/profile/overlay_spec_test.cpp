// Overlay entries: reading their layers from every spelling a profile may
// use, and what lint says about their paths and shape.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "profile/fstab.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/validate.hpp"
#include "tests/profile/lint_cases.hpp"
#include "tests/support/thrown.hpp"

using namespace nsr::profile;
using nsr::profile::test::check_problems;
using nsr::profile::test::problems;
using Strings = std::vector<std::string>;

namespace {

// The spec of a one-line profile, read as the tool reads profiles.
OverlaySpec spec_of(const std::string& line) {
    auto profile = parse_profile(line + "\n", "t");
    REQUIRE(profile.entries.size() == 1);
    return overlay_spec_parse(profile.entries[0]);
}

std::string parse_error(const std::string& line) {
    return nsr::test::thrown_message<std::invalid_argument>([&] { spec_of(line); }, "(no error)");
}

}  // namespace

TEST_CASE("lowerdir= lists the lower layers top first") {
    auto s = spec_of("overlay /m overlay lowerdir=/a:/b:/c,upperdir=/u,workdir=/w 0 0");
    CHECK(s.lower == Strings{"/a", "/b", "/c"});
    CHECK(s.data.empty());
    CHECK(s.upper == "/u");
    CHECK(s.work == "/w");
    CHECK_FALSE(s.is_volatile);
    CHECK_FALSE(s.read_only);
    CHECK_FALSE(s.stale.has_value());
    CHECK(s.other.empty());
}

TEST_CASE("repeated lowerdir+= gives the same layers as one lowerdir=") {
    auto plus = spec_of("overlay /m overlay lowerdir+=/a,lowerdir+=/b,lowerdir+=/c");
    auto joined = spec_of("overlay /m overlay lowerdir=/a:/b:/c");
    CHECK(plus.lower == Strings{"/a", "/b", "/c"});
    CHECK(plus == joined);
}

TEST_CASE("data-only layers: after :: or as datadir+=") {
    auto legacy = spec_of("overlay /m overlay lowerdir=/a:/b::/d:/e");
    CHECK(legacy.lower == Strings{"/a", "/b"});
    CHECK(legacy.data == Strings{"/d", "/e"});
    auto plus = spec_of("overlay /m overlay lowerdir+=/a,lowerdir+=/b,datadir+=/d,datadir+=/e");
    CHECK(plus == legacy);
}

TEST_CASE("\\054 and \\072 in a layer path are a comma and a colon") {
    auto s =
        spec_of("overlay /m overlay lowerdir=/x\\072y:/c\\054d,upperdir=/u\\054v,workdir=/w\\072x");
    CHECK(s.lower == Strings{"/x:y", "/c,d"});
    CHECK(s.upper == "/u,v");
    CHECK(s.work == "/w:x");
    // \134 is decoded by the fstab layer first: \134134 is one backslash
    // here, and \134054 a literal "\054" in the path.
    CHECK(spec_of("overlay /m overlay lowerdir=/a\\134134b").lower == Strings{"/a\\b"});
    CHECK(spec_of("overlay /m overlay lowerdir+=/a\\134134054b").lower == Strings{"/a\\054b"});
    // Spaces are the fstab layer's \040.
    CHECK(spec_of("overlay /m overlay lowerdir=/sp\\040ace").lower == Strings{"/sp ace"});
}

TEST_CASE("overlay paths encode and decode back") {
    for (std::string path : {"/plain", "/a,b", "/a:b", "/a\\b", "/a\\054b", "/a\\072:,\\"}) {
        CAPTURE(path);
        CHECK(overlay_path_decode(overlay_path_encode(path)) == path);
    }
    CHECK(overlay_path_encode("/a,b:c\\d") == "/a\\054b\\072c\\134d");
    // A backslash that starts no known escape stays.
    CHECK(overlay_path_decode("/a\\x\\05") == "/a\\x\\05");
}

TEST_CASE("volatile, ro, the stale policy and other options") {
    auto s = spec_of(
        "overlay /m overlay lowerdir=/a,upperdir=/u,workdir=/w,volatile,ro,index=on,nosuid,"
        "x-nsr.volatile-stale=quarantine,xino=auto,x-snapd.origin=layout");
    CHECK(s.is_volatile);
    CHECK(s.read_only);
    CHECK(s.stale == VolatileStale::Quarantine);
    // VFS flags and x-* options are not the filesystem's.
    CHECK(s.other == Strings{"index=on", "xino=auto"});
    CHECK(spec_of("overlay /m overlay lowerdir=/a,x-nsr.volatile-stale=refuse").stale ==
          VolatileStale::Refuse);
}

TEST_CASE("options that cannot be read") {
    nsr::test::check_errors(
        parse_error,
        {
            {"overlay /m overlay lowerdir=/a::", "empty layer in \"lowerdir=/a::\""},
            {"overlay /m overlay lowerdir=:/a", "empty layer in \"lowerdir=:/a\""},
            {"overlay /m overlay lowerdir=/a:::/b", "empty layer in \"lowerdir=/a:::/b\""},
            {"overlay /m overlay lowerdir+=", "empty layer in \"lowerdir+=\""},
            {"overlay /m overlay lowerdir=/a,lowerdir=/b", "lowerdir= is given twice"},
            {"overlay /m overlay lowerdir=/a,lowerdir+=/b",
             "lowerdir= and lowerdir+= cannot be mixed"},
            {"overlay /m overlay lowerdir+=/b,lowerdir=/a",
             "lowerdir= and lowerdir+= cannot be mixed"},
            {"overlay /m overlay lowerdir+=/a,datadir+=/d,lowerdir+=/b",
             "\"lowerdir+=/b\" comes after a data-only layer"},
            {"overlay /m overlay lowerdir=/a,x-nsr.volatile-stale=delete",
             "invalid x-nsr.volatile-stale \"delete\": expected refuse or quarantine"},
        });
}

TEST_CASE("lint: a valid overlay has no problems") {
    check_problems({
        {"overlay /m overlay lowerdir=/a:/b:/c,upperdir=/s/u,workdir=/s/w", {}},
        {"overlay /m overlay lowerdir=/a:/b", {}},
        {"overlay /m overlay lowerdir+=/a,datadir+=/d", {}},
        {"overlay /m overlay lowerdir=/a,upperdir=/u,workdir=/w,volatile,"
         "x-nsr.volatile-stale=quarantine",
         {}},
        // An overlay over a directory with that directory as its lower layer.
        {"overlay /m overlay lowerdir=/m,upperdir=/u,workdir=/w", {}},
        // Upper and work may be siblings with a shared name prefix.
        {"overlay /m overlay lowerdir=/a,upperdir=/s/w2,workdir=/s/w", {}},
        // DIR's sibling with a longer name is not under DIR.
        {"overlay /m overlay lowerdir=/a,upperdir=/m2/u,workdir=/m2/w", {}},
    });
}

TEST_CASE("lint: layer, upper and work paths must be absolute and clean") {
    check_problems({
        {"overlay /m overlay lowerdir=a:/b//c",
         {"lower layer 1 \"a\" is not an absolute path",
          "lower layer 2 \"/b//c\" is not clean, expected \"/b/c\""}},
        {"overlay /m overlay lowerdir=/a::/d/../e",
         {"data layer 1 \"/d/../e\" contains a \"..\" component"}},
        {"overlay /m overlay lowerdir=/a,upperdir=u,workdir=/w/",
         {"upperdir \"u\" is not an absolute path",
          "workdir \"/w/\" is not clean, expected \"/w\""}},
        {"overlay /m overlay lowerdir=/a,lowerdir=/b",
         {"overlay \"/m\": lowerdir= is given twice"}},
    });
}

TEST_CASE("lint: the shape of an overlay") {
    check_problems({
        {"overlay /m overlay upperdir=/u,workdir=/w", {"overlay \"/m\" has no lower layer"}},
        {"overlay /m overlay lowerdir=/a,upperdir=/u",
         {"overlay \"/m\" needs both upperdir and workdir, or neither"}},
        {"overlay /m overlay lowerdir=/a,workdir=/w",
         {"overlay \"/m\" needs both upperdir and workdir, or neither"}},
        {"overlay /m overlay lowerdir=/a,upperdir=/u,workdir=/u/w",
         {"overlay \"/m\": workdir \"/u/w\" and upperdir \"/u\" must not contain each other"}},
        {"overlay /m overlay lowerdir=/a,upperdir=/w/u,workdir=/w",
         {"overlay \"/m\": workdir \"/w\" and upperdir \"/w/u\" must not contain each other"}},
        {"overlay /m overlay lowerdir=/a,upperdir=/m,workdir=/w",
         {"overlay \"/m\": upperdir \"/m\" must not be at or under the mount point"}},
        {"overlay /m overlay lowerdir=/a,upperdir=/u,workdir=/m/w",
         {"overlay \"/m\": workdir \"/m/w\" must not be at or under the mount point"}},
        {"overlay /m overlay lowerdir=/a,volatile", {"overlay \"/m\": volatile needs an upperdir"}},
        {"overlay /m overlay lowerdir=/a,x-nsr.volatile-stale=refuse",
         {"overlay \"/m\": x-nsr.volatile-stale is only for volatile overlays"}},
    });
    CHECK(problems("overlay /m overlay lowerdir=/a,upperdir=/s,workdir=/s").size() == 1);
    CHECK(problems("overlay / overlay lowerdir=/a,upperdir=/u,workdir=/w").size() == 2);
}

TEST_CASE("lint: only overlay-type entries are read as overlays") {
    // A bind whose type field says overlay is a bind: its options are not layers.
    check_problems({{"/src /m overlay bind 0 0", {}}, {"tmpfs /m tmpfs lowerdir=x", {}}});
}

TEST_CASE("two overlay entries share a pair when any of their upper and work dirs is common") {
    auto entry = [](const std::string& line) {
        auto profile = parse_profile(line + "\n", "t");
        REQUIRE(profile.entries.size() == 1);
        return profile.entries[0];
    };
    const auto base = entry("overlay /m overlay lowerdir=/a,upperdir=/u,workdir=/w 0 0");
    CHECK(overlay_has_upper(base));
    for (const char* other : {"overlay /n overlay lowerdir=/b,upperdir=/u,workdir=/w 0 0",
                              "overlay /n overlay lowerdir=/b,upperdir=/u/,workdir=/w2 0 0",
                              "overlay /n overlay lowerdir=/b,upperdir=/u2,workdir=/w 0 0",
                              "overlay /n overlay lowerdir=/b,upperdir=/w,workdir=/x 0 0"}) {
        CAPTURE(other);
        CHECK(overlay_entries_share_pair(base, entry(other)));
        CHECK(overlay_entries_share_pair(entry(other), base));
    }
    for (const char* other :
         {"overlay /n overlay lowerdir=/b,upperdir=/u2,workdir=/w2 0 0",
          "overlay /n overlay lowerdir=/u:/w 0 0", "overlay /n overlay lowerdir=/b,upperdir=/u 0 0",
          "overlay /n overlay lowerdir=,upperdir=/u,workdir=/w 0 0",
          "/u /n none bind,upperdir=/u,workdir=/w 0 0"}) {
        CAPTURE(other);
        CHECK_FALSE(overlay_entries_share_pair(base, entry(other)));
    }
    CHECK_FALSE(overlay_has_upper(entry("overlay /n overlay lowerdir=/u:/w 0 0")));
    CHECK_FALSE(overlay_has_upper(entry("tmpfs /n tmpfs upperdir=/u,workdir=/w 0 0")));
}

TEST_CASE("lint: two overlays of a profile may not share an upper or work dir") {
    CHECK(problems("overlay /m overlay lowerdir=/a,upperdir=/u,workdir=/w 0 0\n"
                   "overlay /n overlay lowerdir=/a,upperdir=/u2,workdir=/w2 0 0\n"
                   "overlay /o overlay lowerdir=/u:/w 0 0")
              .empty());
    const auto found = validate_profile(
        parse_profile("overlay /m overlay lowerdir=/a,upperdir=/u,workdir=/w 0 0\n"
                      "overlay /n overlay lowerdir=/b,upperdir=/u2,workdir=/w 0 0\n"
                      "overlay /o overlay lowerdir=/c,upperdir=/u,workdir=/w 0 0\n",
                      "t"));
    REQUIRE(found.size() == 2);
    CHECK(found[0].line == 2);
    CHECK(found[0].message ==
          "overlay \"/n\": \"/w\" is the upperdir or workdir of the overlay at "
          "line 1 too: two live overlays may not share them");
    CHECK(found[1].line == 3);
    CHECK(found[1].message ==
          "overlay \"/o\": \"/u\" is the upperdir or workdir of the overlay at "
          "line 1 too: two live overlays may not share them");
}
