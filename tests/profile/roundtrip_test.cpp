// Property: parse(format(p)) == p for randomly generated entries.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "profile/fstab.hpp"

using nsr::profile::format_profile;
using nsr::profile::MountEntry;
using nsr::profile::MountProfile;
using nsr::profile::parse_profile;

namespace {

constexpr unsigned kSeed = 20240611;
constexpr int kProfiles = 1000;

// Pieces a field is built from: the characters that need escaping, text that
// looks like an escape, other backslash sequences, and ordinary bytes.
const std::vector<std::string> kPieces = {
    " ",
    "\t",
    "\n",
    "\\",
    "\\040",
    "\\011",
    "\\012",
    "\\134",
    "\\043",
    "\\0",
    "\\",
    "#",
    ",",
    "=",
    "/",
    "a",
    "Z",
    "0",
    "none",
    "defaults",
    "\r",
    "\v",
    "\f",
    "\x01",
    "\xc3\xa9",
    "$HOME",
    ".",
    "..",
    "x-snapd.kind=file",
};

class Generator {
  public:
    explicit Generator(unsigned seed) : rng_(seed) {}

    int number(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    // A non-empty field. The format has no escape for a '#' that starts a
    // field (it opens a comment) nor for a \v, \f or \r that starts the
    // line (the line is trimmed); snapd's writer has the same limits.
    std::string field(bool starts_line, bool allow_comma) {
        std::string s;
        int n = number(1, 6);
        for (int i = 0; i < n; ++i) {
            std::string piece = kPieces[number(0, kPieces.size() - 1)];
            if (!allow_comma && piece == ",") {
                continue;
            }
            s += piece;
        }
        if (s.empty() || s[0] == '#' ||
            (starts_line && std::string("\r\v\f").find(s[0]) != std::string::npos)) {
            s.insert(0, "p");
        }
        return s;
    }

    MountEntry entry() {
        MountEntry e;
        e.name = field(true, true);
        e.dir = field(false, true);
        e.type = field(false, true);
        // Options are joined with ',' and split on it, so an option cannot
        // hold one; a list whose only option is "" would read as "defaults".
        int n = number(1, 4);
        for (int i = 0; i < n; ++i) {
            e.options.push_back(field(false, false));
        }
        e.freq = number(-1000, 1000000);
        e.passno = number(-5, 5);
        return e;
    }

  private:
    std::mt19937 rng_;
};

}  // namespace

TEST_CASE("parse of format gives back the same entries for any non-empty fields") {
    Generator gen(kSeed);
    for (int round = 0; round < kProfiles; ++round) {
        MountProfile p;
        int n = gen.number(0, 12);
        for (int i = 0; i < n; ++i) {
            p.entries.push_back(gen.entry());
        }
        const std::string text = format_profile(p);
        INFO("seed ", kSeed, ", round ", round, ", text:\n", text);
        MountProfile back = parse_profile(text, "roundtrip");
        REQUIRE(back == p);
        for (size_t i = 0; i < back.entries.size(); ++i) {
            REQUIRE(back.entries[i].line == static_cast<int>(i) + 1);
        }
    }
}

TEST_CASE("format of parse is stable for the generated profiles") {
    Generator gen(kSeed + 1);
    for (int round = 0; round < kProfiles; ++round) {
        MountProfile p{{gen.entry(), gen.entry()}};
        const std::string text = format_profile(p);
        INFO("seed ", kSeed + 1, ", round ", round);
        REQUIRE(format_profile(parse_profile(text, "t")) == text);
    }
}
