// overlay_matches() on option strings as Linux 6.18 writes them (copied
// from /proc/self/mountinfo and statmount of real overlays): every spelling
// of the same layers matches, and each kind of difference is named.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "profile/overlay_spec.hpp"
#include "reconcile/overlay_match.hpp"

using namespace nsr::reconcile;
using nsr::profile::MountEntry;
using nsr::profile::OverlaySpec;
using Strings = std::vector<std::string>;

namespace {

OverlaySpec spec(Strings lower, std::optional<std::string> upper = std::nullopt,
                 std::optional<std::string> work = std::nullopt, Strings data = {}) {
    OverlaySpec s;
    s.lower = std::move(lower);
    s.upper = std::move(upper);
    s.work = std::move(work);
    s.data = std::move(data);
    return s;
}

const OverlaySpec kThree = spec({"/o/a", "/o/b", "/o/c,d"}, "/o/u", "/o/w");

}  // namespace

TEST_CASE("one lowerdir= string and one lowerdir+= per layer match the same spec") {
    // fsconfig(FSCONFIG_SET_STRING, "lowerdir", "/o/a:/o/b:/o/c,d"): the kernel
    // shows the string it was given, its ',' in octal.
    CHECK(overlay_matches(kThree,
                          "rw,lowerdir=/o/a:/o/b:/o/c\\054d,upperdir=/o/u,workdir=/o/w,uuid=on")
              .matches);
    // FSCONFIG_SET_FD, one "lowerdir+" per layer.
    CHECK(overlay_matches(kThree,
                          "rw,lowerdir+=/o/a,lowerdir+=/o/b,lowerdir+=/o/c\\054d,upperdir=/o/u,"
                          "workdir=/o/w,uuid=on")
              .matches);
    // statmount's option array: no escapes at all.
    CHECK(overlay_matches(kThree,
                          Strings{"lowerdir+=/o/a", "lowerdir+=/o/b", "lowerdir+=/o/c,d",
                                  "upperdir=/o/u", "workdir=/o/w", "uuid=on"},
                          false)
              .matches);
}

TEST_CASE("a colon and a backslash in a layer, in the string form and by fd") {
    const OverlaySpec want = spec({"/o/e:f", "/o/g\\h"});
    // Given as "lowerdir=/o/e\:f:/o/g\\h": the kernel keeps the overlay escapes
    // and writes each backslash as \134.
    CHECK(overlay_matches(want, "ro,lowerdir=/o/e\\134:f:/o/g\\134\\134h,redirect_dir=on").matches);
    // The same after nsreconcile's mountinfo parser decoded \134.
    CHECK(overlay_matches(want, "ro,lowerdir=/o/e\\:f:/o/g\\\\h,redirect_dir=on").matches);
    // statmount's array for the same mount.
    CHECK(overlay_matches(want, Strings{"lowerdir=/o/e\\:f:/o/g\\\\h", "redirect_dir=on"}, true)
              .matches);
    // By fd: the plain paths.
    CHECK(
        overlay_matches(want, "ro,lowerdir+=/o/e:f,lowerdir+=/o/g\\134h,redirect_dir=on").matches);
    // Read as a plain string, "/o/e\:f" would be two layers.
    CHECK_FALSE(overlay_matches(spec({"/o/e\\", "f"}), "ro,lowerdir=/o/e\\134:f").matches);
}

TEST_CASE("upper and work given as strings are unescaped by the kernel") {
    const OverlaySpec want = spec({"/o/a"}, "/o/u,2", "/o/w:2");
    // fsconfig strings "/o/u\,2" and "/o/w\:2".
    CHECK(overlay_matches(want, "rw,lowerdir=/o/a,upperdir=/o/u\\134\\0542,workdir=/o/w\\134:2")
              .matches);
    // By fd.
    CHECK(overlay_matches(want, "rw,lowerdir+=/o/a,upperdir=/o/u\\0542,workdir=/o/w:2,uuid=on")
              .matches);
}

TEST_CASE("data-only layers, after :: or as datadir+=") {
    const OverlaySpec want = spec({"/o/a"}, std::nullopt, std::nullopt, {"/o/data"});
    CHECK(overlay_matches(want, "ro,lowerdir=/o/a::/o/data,redirect_dir=on").matches);
    CHECK(overlay_matches(want, "ro,lowerdir+=/o/a,datadir+=/o/data,redirect_dir=on").matches);
    const auto as_lower = overlay_matches(spec({"/o/a", "/o/data"}), "ro,lowerdir=/o/a::/o/data");
    CHECK_FALSE(as_lower.matches);
    CHECK(as_lower.why == "has lower layers \"/o/a\", the entry \"/o/a\", \"/o/data\"");
}

TEST_CASE("each difference is named") {
    const std::string mounted = "rw,lowerdir+=/o/a,lowerdir+=/o/b,upperdir=/o/u,workdir=/o/w";
    auto m = overlay_matches(spec({"/o/b", "/o/a"}, "/o/u", "/o/w"), mounted);
    CHECK_FALSE(m.matches);
    CHECK(m.why == "has lower layers \"/o/a\", \"/o/b\", the entry \"/o/b\", \"/o/a\"");
    m = overlay_matches(spec({"/o/a", "/o/b"}, "/o/u2", "/o/w"), mounted);
    CHECK(m.why == "has upperdir \"/o/u\", the entry \"/o/u2\"");
    m = overlay_matches(spec({"/o/a", "/o/b"}, "/o/u", "/o/w2"), mounted);
    CHECK(m.why == "has workdir \"/o/w\", the entry \"/o/w2\"");
    m = overlay_matches(spec({"/o/a", "/o/b"}), mounted);
    CHECK(m.why == "has upperdir \"/o/u\", the entry none");
    m = overlay_matches(spec({"/o/a"}, "/o/u", "/o/w"), "ro,lowerdir=/o/a");
    CHECK(m.why == "has no upperdir, the entry \"/o/u\"");
    m = overlay_matches(spec({"/o/a"}, std::nullopt, std::nullopt, {"/o/d"}), "ro,lowerdir=/o/a");
    CHECK(m.why == "has data-only layers none, the entry \"/o/d\"");
}

TEST_CASE("read-only: an entry with an upper must match ro, one without is always read-only") {
    OverlaySpec rw = spec({"/o/a"}, "/o/u", "/o/w");
    OverlaySpec ro = rw;
    ro.read_only = true;
    const std::string mounted_rw = "rw,lowerdir=/o/a,upperdir=/o/u,workdir=/o/w,uuid=on";
    const std::string mounted_ro = "ro,lowerdir=/o/a,upperdir=/o/u,workdir=/o/w,uuid=on";
    CHECK(overlay_matches(rw, mounted_rw).matches);
    CHECK(overlay_matches(ro, mounted_ro).matches);
    CHECK(overlay_matches(rw, mounted_ro).why == "is read-only, the entry is not");
    CHECK(overlay_matches(ro, mounted_rw).why == "is read-write, the entry says ro");
    CHECK(overlay_matches(spec({"/o/a"}), "ro,lowerdir=/o/a,redirect_dir=on").matches);
}

TEST_CASE("options the comparison does not model are ignored") {
    OverlaySpec v = spec({"/o/a"}, "/o/u", "/o/w");
    v.is_volatile = true;
    CHECK(
        overlay_matches(v, "rw,lowerdir+=/o/a,upperdir=/o/u,workdir=/o/w,fsync=volatile").matches);
    CHECK(overlay_matches(v, "rw,lowerdir=/o/a,upperdir=/o/u,workdir=/o/w,index=on,xino=auto")
              .matches);
}

TEST_CASE("an entry's options are parsed for the comparison") {
    MountEntry e{"overlay", "/m", "overlay", {"lowerdir=/o/a\\054b:/o/c", "ro"}};
    CHECK(overlay_entry_matches(e, "ro,lowerdir+=/o/a\\054b,lowerdir+=/o/c").matches);
    MountEntry bad{"overlay", "/m", "overlay", {"lowerdir=/o/a", "lowerdir+=/o/c"}};
    auto m = overlay_entry_matches(bad, "ro,lowerdir=/o/a");
    CHECK_FALSE(m.matches);
    CHECK(m.why == "the entry's options cannot be read: lowerdir= and lowerdir+= cannot be mixed");
}
