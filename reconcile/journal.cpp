#include "reconcile/journal.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "base/error.hpp"
#include "profile/fstab.hpp"

namespace nsr::reconcile {

using profile::MountEntry;

namespace {

constexpr std::string_view kMagic = "nsreconcile-journal 1 ";
constexpr std::string_view kEntry = "entry\t";

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    for (;;) {
        const size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab - start));
        if (tab == std::string_view::npos)
            return fields;
        start = tab + 1;
    }
}

// One fstab line as an entry; nothing when it is not exactly one entry.
std::optional<MountEntry> parse_entry(std::string_view field) {
    try {
        profile::MountProfile p = profile::parse_profile(field, "journal");
        if (p.entries.size() != 1)
            return std::nullopt;
        MountEntry e = std::move(p.entries.front());
        e.line = 0;
        return e;
    } catch (const base::InputError&) {
        return std::nullopt;
    }
}

// One record line: ENTRIES, then MORE, each written straight into it (a
// replacement's two entries are not copied into one array first).
std::string record(std::string_view keyword, std::span<const MountEntry> entries,
                   std::span<const MountEntry> more = {}) {
    std::string line(keyword);
    for (const auto part : {entries, more}) {
        for (const MountEntry& e : part) {
            line += '\t';
            e.append_to(line);
        }
    }
    line += '\n';
    return line;
}

// HEAD, then LINES (each ending in '\n') each as an "entry" record. Made
// in LINES's own buffer, from its end backwards, so that the journal's
// text and the current profile's are not both held (the caller leaves the
// room: compact_room()).
std::string entry_records(std::string lines, std::string_view head) {
    if (!lines.empty() && lines.back() != '\n')
        lines += '\n';
    const size_t count = static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n'));
    size_t src = lines.size();
    lines.resize(head.size() + src + count * kEntry.size());
    char* p = lines.data();
    size_t dst = lines.size();
    while (src > 0) {
        // The line ending at SRC (its '\n' included) starts after the
        // newline before it.
        const size_t before = std::string_view(p, src - 1).rfind('\n');
        const size_t start = before == std::string_view::npos ? 0 : before + 1;
        dst -= src - start;
        std::memmove(p + dst, p + start, src - start);
        dst -= kEntry.size();
        std::memcpy(p + dst, kEntry.data(), kEntry.size());
        src = start;
    }
    std::memcpy(p, head.data(), head.size());
    return lines;
}

constexpr std::string_view kCreated = "created\t";

std::string created_record(const std::string& path) {
    return std::string(kCreated) + profile::escape(path) + "\n";
}

// The fstab line of an "entry" record (LINE, without its '\n'); nothing
// for another record.
std::optional<std::string_view> entry_of(std::string_view line) {
    if (!line.starts_with(kEntry) || line.find('\t', kEntry.size()) != std::string_view::npos)
        return std::nullopt;
    return line.substr(kEntry.size());
}

// Calls VISIT with each whole line of RECORDS (the text after the header),
// without its '\n'; a last line with no '\n' is a record cut short by a
// crash (the write never completed), for which TORN is called instead.
template <typename Visit, typename Torn>
void for_each_record(std::string_view records, Visit visit, Torn torn) {
    while (!records.empty()) {
        const size_t end = records.find('\n');
        if (end == std::string_view::npos) {
            torn();
            return;
        }
        visit(records.substr(0, end));
        records.remove_prefix(end + 1);
    }
}

// The records of TEXT, a journal file's whole text, when its header is
// HEADER (with its '\n'); nothing when it is another namespace's.
std::optional<std::string_view> records_of(std::string_view text, std::string_view header) {
    if (!text.starts_with(header))
        return std::nullopt;
    return text.substr(header.size());
}

}  // namespace

Journal::Journal(JournalFile& file, uint64_t ns_id, std::function<void(const std::string&)> debug)
    : file_(&file), ns_id_(ns_id), debug_(std::move(debug)) {
    const std::optional<std::string> text = file.read();
    if (!text)
        return;
    file_exists_ = true;
    auto say = [&](const std::string& s) {
        if (debug_)
            debug_(s);
    };
    const std::optional<std::string_view> records = records_of(*text, header());
    if (!records) {
        const std::string_view first(*text);
        say("the journal is not this namespace's (" +
            std::string(first.substr(0, first.find('\n'))) + "); not using it");
        return;
    }
    found_ = true;
    appendable_ = true;
    for_each_record(
        *records,
        [&](std::string_view line) {
            // The entries are read again when asked for (saved()).
            if (entry_of(line))
                return;
            const auto fields = split_tabs(line);
            const std::string_view keyword = fields.front();
            if (keyword == "created" && fields.size() == 2) {
                created_.insert(profile::unescape(fields[1]));
                return;
            }
            bool ok = true;
            std::vector<MountEntry> entries;
            for (size_t i = 1; i < fields.size() && ok; ++i) {
                auto e = parse_entry(fields[i]);
                ok = e.has_value();
                if (ok)
                    entries.push_back(std::move(*e));
            }
            if (ok && keyword == "mount" && entries.size() == 1) {
                claims_.push_back({Claim::Kind::Mount, std::move(entries)});
            } else if (ok && keyword == "replace" && entries.size() == 2) {
                claims_.push_back({Claim::Kind::Replace, std::move(entries)});
            } else if (ok && keyword == "mimic" && !entries.empty()) {
                claims_.push_back({Claim::Kind::Mimic, std::move(entries)});
            } else {
                say("skipping a journal line that does not parse: " + std::string(line));
            }
        },
        [&] { say("skipping an unfinished last line of the journal"); });
}

const std::vector<MountEntry>& Journal::saved() const {
    if (saved_)
        return *saved_;
    std::string lines;
    if (found_) {
        // The file is read again rather than its text kept from the
        // constructor: it is as large as the current profile, and only a
        // run that lost that profile (or a check) asks for it.
        const std::optional<std::string> text = file_->read();
        if (const auto records = text ? records_of(*text, header()) : std::nullopt) {
            lines.reserve(records->size());
            for_each_record(
                *records,
                [&](std::string_view line) {
                    if (const auto entry = entry_of(line)) {
                        lines += *entry;
                        lines += '\n';
                    }
                },
                [] {});
        }
    }
    std::vector<profile::Problem> problems;
    profile::MountProfile p = profile::parse_profile(lines, "journal", &problems);
    for (const profile::Problem& problem : problems) {
        if (debug_)
            debug_("skipping a journal entry that does not parse: " + problem.message);
    }
    for (MountEntry& e : p.entries)
        e.line = 0;
    saved_ = std::move(p.entries);
    return *saved_;
}

bool Journal::saves(std::string_view in_place) const {
    const std::optional<std::string> text = file_->read();
    const auto records = text ? records_of(*text, header()) : std::nullopt;
    if (!records)
        return false;
    bool same = true;
    for_each_record(
        *records,
        [&](std::string_view line) {
            const auto entry = entry_of(line);
            if (!entry || !same)
                return;
            same = in_place.starts_with(*entry) && in_place.size() > entry->size() &&
                   in_place[entry->size()] == '\n';
            if (same)
                in_place.remove_prefix(entry->size() + 1);
        },
        [] {});
    return same && in_place.empty();
}

std::string Journal::header() const {
    return std::string(kMagic) + std::to_string(ns_id_) + "\n";
}

void Journal::append(std::string line) {
    if (!file_)
        return;
    if (!appendable_) {
        // Missing, or another namespace's: this run starts it afresh.
        if (file_exists_)
            file_->replace(header());
        else
            line.insert(0, header());
        appendable_ = true;
        file_exists_ = true;
    }
    file_->append(line);
    appended_ = true;
}

void Journal::record_mount(const MountEntry& e) {
    append(record("mount", std::span(&e, 1)));
}

void Journal::record_replace(const MountEntry& old, const MountEntry& neu) {
    append(record("replace", std::span(&old, 1), std::span(&neu, 1)));
}

void Journal::record_mimic(std::span<const MountEntry> entries) {
    append(record("mimic", entries));
}

void Journal::record_created(const std::string& path) {
    created_.insert(path);
    append(created_record(path));
}

void Journal::compact(std::string in_place, const std::function<bool(const std::string&)>& exists,
                      const std::vector<Claim>& pending) {
    if (!file_)
        return;
    // A run that changed nothing finds the journal as it left it: only its
    // entries are read back, to compare with the text that would be
    // written (not even whether the created paths are still there is
    // asked).
    if (found_ && !appended_ && claims_.empty() && pending.empty() && saves(in_place))
        return;
    std::string text = entry_records(std::move(in_place), header());
    for (const std::string& path : created_) {
        if (exists(path))
            text += created_record(path);
    }
    for (const Claim& c : pending) {
        text += record(c.kind == Claim::Kind::Replace ? "replace"
                       : c.kind == Claim::Kind::Mimic ? "mimic"
                                                      : "mount",
                       c.entries);
    }
    // Nothing to keep and no file: none is made.
    if (!file_exists_ && text == header())
        return;
    file_->replace(text);
    file_exists_ = true;
    appendable_ = true;
}

size_t Journal::compact_room(size_t entries) const {
    if (!file_)
        return 0;
    size_t room = header().size() + entries * kEntry.size();
    for (const std::string& path : created_)
        room += kCreated.size() + path.size() + 1;
    return room;
}

}  // namespace nsr::reconcile
