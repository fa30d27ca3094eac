#include <doctest/doctest.h>

#include "profile/fstab.hpp"

using nsr::profile::format_profile;
using nsr::profile::MountEntry;
using nsr::profile::MountProfile;
using nsr::profile::parse_profile;

TEST_CASE("to_string writes six single-space-separated fields") {
    MountEntry e{"/dev/sda1", "/a/b", "ext4", {"ro", "noatime"}, 1, 2};
    CHECK(e.to_string() == "/dev/sda1 /a/b ext4 ro,noatime 1 2");
}

TEST_CASE("to_string writes empty name, dir and type as none and no options as defaults") {
    MountEntry e;
    e.name = "/dev/sda1";
    e.dir = "/a/b";
    CHECK(e.to_string() == "/dev/sda1 /a/b none defaults 0 0");
    CHECK(MountEntry{}.to_string() == "none none none defaults 0 0");
}

TEST_CASE("an empty field reads back as the literal placeholder") {
    MountEntry e{"", "/a", "", {}, 0, 0};
    auto back = parse_profile(e.to_string(), "t").entries.at(0);
    CHECK(back.name == "none");
    CHECK(back.type == "none");
    CHECK(back.options == std::vector<std::string>{"defaults"});
    CHECK_FALSE(back == e);
}

TEST_CASE("to_string escapes name, dir, type and the joined options") {
    MountEntry e{"/a b", "/media/My Files", "t\ty", {"x=a\\b", "y=\n"}, 0, 0};
    CHECK(e.to_string() == "/a\\040b /media/My\\040Files t\\011y x=a\\134b,y=\\012 0 0");
}

TEST_CASE("format_profile ends every entry with a newline and writes nothing for no entries") {
    CHECK(format_profile({}) == "");
    MountProfile p{{{"a", "/b", "c", {"d"}, 0, 0}, {"e", "/f", "g", {}, 3, 4}}};
    CHECK(format_profile(p) == "a /b c d 0 0\ne /f g defaults 3 4\n");
}

TEST_CASE("format_entries sizes its text first, with the room asked for after it") {
    const std::vector<MountEntry> entries = {{"", "/a/b", "", {}, -12, 345},
                                             {"/s", "/d", "none", {"bind", "", "ro"}, 0, 0},
                                             {"/s", "/e", "none", {""}, 7, 0}};
    const std::vector<const MountEntry*> pointers = {&entries[0], &entries[1], &entries[2]};
    const std::string text = nsr::profile::format_entries(pointers, 100);
    CHECK(text ==
          "none /a/b none defaults -12 345\n/s /d none bind,,ro 0 0\n/s /e none defaults 7 0\n");
    // No buffer copied as it grew, and no more than a rounding past the room.
    CHECK(text.capacity() >= text.size() + 100);
    CHECK(text.capacity() < text.size() + 100 + 16);
}

TEST_CASE("equality compares every field and options in order but not the line") {
    MountEntry a{"/s", "/d", "none", {"bind", "ro"}, 0, 0, 1};
    MountEntry b = a;
    b.line = 7;
    CHECK(a == b);
    auto differs = [&](auto change) {
        MountEntry c = a;
        change(c);
        return !(a == c);
    };
    CHECK(differs([](MountEntry& c) { c.name = "/t"; }));
    CHECK(differs([](MountEntry& c) { c.dir = "/e"; }));
    CHECK(differs([](MountEntry& c) { c.type = "tmpfs"; }));
    CHECK(differs([](MountEntry& c) { c.options = {"ro", "bind"}; }));
    CHECK(differs([](MountEntry& c) { c.options = {"bind"}; }));
    CHECK(differs([](MountEntry& c) { c.freq = 1; }));
    CHECK(differs([](MountEntry& c) { c.passno = 1; }));
}

TEST_CASE("has_option matches whole options and option_value the first key=value") {
    MountEntry e{"a", "/b", "c", {"bind", "x-snapd.kind=file", "x-snapd.kind=symlink", "k="}};
    CHECK(e.has_option("bind"));
    CHECK_FALSE(e.has_option("bin"));
    CHECK_FALSE(e.has_option("x-snapd.kind"));
    CHECK(e.option_value("x-snapd.kind") == "file");
    CHECK(e.option_value("k") == "");
    CHECK_FALSE(e.option_value("bind").has_value());
    CHECK_FALSE(e.option_value("x-snapd").has_value());
}
