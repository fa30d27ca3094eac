// The journal's reading and compaction against a file kept in memory: what
// it reads again rather than keeps (the saved entries, the entries compared
// before a rewrite) and the room it asks the current profile's text for.
#include "reconcile/journal.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profile/fstab.hpp"

using nsr::profile::MountEntry;
using namespace nsr::reconcile;

namespace {

class MemoryFile : public JournalFile {
  public:
    explicit MemoryFile(std::optional<std::string> text) : text(std::move(text)) {}
    std::optional<std::string> read() override {
        ++reads;
        return text;
    }
    void append(std::string_view more) override { text = text.value_or("") + std::string(more); }
    void replace(std::string_view all) override {
        ++replaces;
        text = std::string(all);
    }

    std::optional<std::string> text;
    int reads = 0;
    int replaces = 0;
};

constexpr uint64_t kNs = 7;
const std::string kHeader = "nsreconcile-journal 1 7\n";
const std::string kA = "/sa /a none bind 0 0";
const std::string kB = "/sb /b none bind,ro 0 0";
const std::string kC = "tmpfs /c tmpfs mode=0755 0 0";

std::vector<std::string> lines_of(const std::vector<MountEntry>& entries) {
    std::vector<std::string> out;
    for (const MountEntry& e : entries)
        out.push_back(e.to_string());
    return out;
}

bool all_exist(const std::string&) {
    return true;
}

}  // namespace

TEST_CASE("journal: the saved entries are read again when asked for, once") {
    MemoryFile file(kHeader + "entry\t" + kA + "\n" + "created\t/x\n" + "mount\t" + kC + "\n" +
                    "entry\t" + kB + "\n" + "entry\t" + kC);
    const Journal journal(file, kNs, {});
    CHECK(journal.found());
    CHECK(journal.created("/x"));
    REQUIRE(journal.claims().size() == 1);
    CHECK(lines_of(journal.claims().front().entries) == std::vector<std::string>{kC});
    CHECK(file.reads == 1);
    // The last line was cut short: not an entry.
    CHECK(lines_of(journal.saved()) == std::vector<std::string>{kA, kB});
    CHECK(lines_of(journal.saved()) == std::vector<std::string>{kA, kB});
    CHECK(file.reads == 2);
}

TEST_CASE("journal: another namespace's file saves nothing and is not read again") {
    MemoryFile file("nsreconcile-journal 1 8\nentry\t" + kA + "\n");
    const Journal journal(file, kNs, {});
    CHECK_FALSE(journal.found());
    CHECK(journal.saved().empty());
    CHECK(file.reads == 1);
}

TEST_CASE("journal: a run that leaves the saved entries rewrites nothing; any other does") {
    const std::string saved =
        kHeader + "entry\t" + kA + "\n" + "created\t/x\n" + "entry\t" + kB + "\n";
    {
        MemoryFile file(saved);
        Journal(file, kNs, {}).compact(kA + "\n" + kB + "\n", all_exist, {});
        CHECK(file.replaces == 0);
        CHECK(file.text == saved);
    }
    for (const std::string& in_place :
         {kA + "\n", kA + "\n" + kB + "\n" + kC + "\n", kB + "\n" + kA + "\n",
          kA + "\n" + kC + "\n", std::string()}) {
        CAPTURE(in_place);
        MemoryFile file(saved);
        Journal(file, kNs, {}).compact(in_place, all_exist, {});
        CHECK(file.replaces == 1);
        std::string expected = kHeader;
        for (size_t start = 0; start < in_place.size();) {
            const size_t end = in_place.find('\n', start) + 1;
            expected += "entry\t" + in_place.substr(start, end - start);
            start = end;
        }
        CHECK(file.text == expected + "created\t/x\n");
    }
}

TEST_CASE("journal: compact_room is what compaction adds to the current profile's text") {
    MemoryFile file(kHeader + "created\t/made/one\n");
    Journal journal(file, kNs, {});
    journal.record_created("/made/two");
    const std::vector<MountEntry> entries =
        nsr::profile::parse_profile(kA + "\n" + kC, "t").entries;
    const std::vector<const MountEntry*> pointers = {&entries[0], &entries[1]};
    const size_t room = journal.compact_room(pointers.size());
    std::string in_place = nsr::profile::format_entries(pointers, room);
    const size_t profile_size = in_place.size();
    // Room enough: the journal's text is made in the profile's buffer.
    CHECK(in_place.capacity() >= profile_size + room);
    journal.compact(std::move(in_place), all_exist, {});
    REQUIRE(file.text);
    CHECK(file.text->size() == profile_size + room);
    CHECK(Journal().compact_room(2) == 0);
}
