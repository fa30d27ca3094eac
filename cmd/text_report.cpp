#include "cmd/text_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "profile/fstab.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::cmd {

namespace {

using profile::MountEntry;
using reconcile::Action;
using reconcile::Status;

// What a line says happened (or would happen) to its entry.
enum class Mark { Mount, Again, Replace, Unmount, Mimic, Unchanged, AlreadyDone, Skipped, Failed };

struct MarkInfo {
    char marker;
    std::string_view colour;   // SGR parameters; empty: none
    std::string_view planned;  // summary word in a plan
    std::string_view done;     // summary word after apply
    bool listed;               // printed without --all
};

const MarkInfo& info(Mark m) {
    static const MarkInfo table[] = {
        {'+', "32", "to mount", "mounted", true},
        {'!', "36", "to mount again", "mounted again", true},
        {'~', "33", "to replace", "replaced", true},
        {'-', "31", "to unmount", "unmounted", true},
        {'+', "32", "", "mimics built", true},
        {' ', "", "unchanged", "unchanged", false},
        {' ', "", "already done", "already done", false},
        {'?', "", "skipped", "skipped", true},
        {'x', "1;31", "failed", "failed", true},
    };
    return table[static_cast<int>(m)];
}

// Options that only record the tool's own bookkeeping, or that the brief
// shows another way (the type word, the symlink target, the kind).
bool shown_option(const std::string& o) {
    for (std::string_view hidden :
         {"bind", "rbind", "defaults", "x-snapd.detach", "x-snapd.synthetic"}) {
        if (o == hidden)
            return false;
    }
    for (std::string_view key :
         {"x-snapd.kind=", "x-snapd.symlink=", "x-snapd.id=", "x-snapd.needed-by="}) {
        if (o.starts_with(key))
            return false;
    }
    return true;
}

std::vector<std::string> shown_options(const MountEntry& e) {
    std::vector<std::string> out;
    for (const auto& o : e.options) {
        if (shown_option(o))
            out.push_back(profile::escape(o));
    }
    return out;
}

// "bind", "rbind", "bind file", or the filesystem type.
std::string type_word(const MountEntry& e) {
    std::string word = profile::is_rbind(e)  ? "rbind"
                       : profile::is_bind(e) ? "bind"
                                             : profile::escape(e.type);
    if (profile::kind(e) == profile::EntryKind::File)
        word += " file";
    return word;
}

std::string joined(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : std::string(sep)) + p;
    return out;
}

// What appears at the mount point: the symlink's target, or the source.
std::string source_of(const MountEntry& e) {
    return profile::kind(e) == profile::EntryKind::Symlink ? profile::symlink_target(e).value_or("")
                                                           : e.name;
}

// "SRC -> DIR" or its symlink and ensure-dir forms, without the details.
std::string brief_head(const MountEntry& e) {
    switch (profile::kind(e)) {
        case profile::EntryKind::EnsureDir:
            return profile::escape(e.dir);
        default:
            return profile::escape(source_of(e)) + " -> " + profile::escape(e.dir);
    }
}

std::string kind_word(const MountEntry& e) {
    switch (profile::kind(e)) {
        case profile::EntryKind::Symlink:
            return "symlink";
        case profile::EntryKind::EnsureDir:
            return "ensure-dir";
        case profile::EntryKind::Unknown:
            return "x-snapd.kind=" + profile::escape(profile::kind_name(e));
        default:
            return type_word(e);
    }
}

std::string paint(Mark m, const TextStyle& style) {
    const MarkInfo& i = info(m);
    if (!style.colour || i.colour.empty())
        return std::string(1, i.marker);
    return "\033[" + std::string(i.colour) + "m" + i.marker + "\033[0m";
}

// "mimic at DIR (tmpfs, N bind-backs)": a mimic's entries as one line; the
// tmpfs entries name where the mimics are.
std::string mimic_text(const std::vector<const MountEntry*>& members) {
    std::vector<std::string> dirs;
    for (const MountEntry* e : members) {
        if (e->type == "tmpfs")
            dirs.push_back(profile::escape(e->dir));
    }
    const size_t backs = members.size() - dirs.size();
    const std::string count =
        std::to_string(backs) + (backs == 1 ? " entry bound back" : " entries bound back");
    if (dirs.empty()) {
        return "mimic entries for " +
               profile::escape(profile::needed_by(*members.front()).value_or("?")) + " (" + count +
               ")";
    }
    return (dirs.size() == 1 ? "mimic at " : "mimics at ") + joined(dirs, ", ") + " (tmpfs" +
           (backs ? ", " + count : "") + ")";
}

// One line before it is printed: a change, or the mimic entries that go
// together (MIMIC non-empty).
struct Item {
    Mark mark;
    std::string text;
    std::vector<const MountEntry*> mimic;
};

// Items in order; synthetic entries (a mimic's tmpfs and bind-backs) with
// the same mark and the same x-snapd.needed-by are folded into one line at
// the place of the first. A failed one keeps its own line, for its error.
class ItemList {
  public:
    void add(Mark mark, const MountEntry& e, std::string text) {
        if (profile::is_synthetic(e) && mark != Mark::Failed) {
            const auto key = std::pair{mark, profile::needed_by(e).value_or("")};
            auto it = std::find(keys_.begin(), keys_.end(), key);
            if (it != keys_.end()) {
                items_[positions_[it - keys_.begin()]].mimic.push_back(&e);
                return;
            }
            keys_.push_back(key);
            positions_.push_back(items_.size());
            items_.push_back({mark, "", {&e}});
            return;
        }
        items_.push_back({mark, std::move(text), {}});
    }

    // The mimics one change built: a tmpfs entry starts each.
    void add_built(const std::vector<MountEntry>& synthesized) {
        for (const MountEntry& e : synthesized) {
            if (e.type == "tmpfs" || items_.empty() || items_.back().mark != Mark::Mimic ||
                items_.back().mimic.empty()) {
                items_.push_back({Mark::Mimic, "", {&e}});
            } else {
                items_.back().mimic.push_back(&e);
            }
        }
    }

    std::string render(const TextStyle& style, bool applied) const {
        std::string out;
        size_t counts[9] = {};
        for (const Item& item : items_) {
            ++counts[static_cast<int>(item.mark)];
            if (!info(item.mark).listed && !style.all)
                continue;
            out += paint(item.mark, style) + " " +
                   (item.mimic.empty() ? item.text : mimic_text(item.mimic)) + "\n";
        }
        std::vector<std::string> parts;
        for (Mark m : {Mark::Mount, Mark::Again, Mark::Replace, Mark::Unmount, Mark::Mimic}) {
            const size_t n = counts[static_cast<int>(m)];
            if (n == 0)
                continue;
            if (m == Mark::Mimic)
                parts.push_back(std::to_string(n) + (n == 1 ? " mimic built" : " mimics built"));
            else
                parts.push_back(std::to_string(n) + " " +
                                std::string(applied ? info(m).done : info(m).planned));
        }
        if (parts.empty())
            parts.push_back(applied ? "nothing changed" : "nothing to change");
        parts.push_back(std::to_string(counts[static_cast<int>(Mark::Unchanged)]) + " unchanged");
        for (Mark m : {Mark::AlreadyDone, Mark::Skipped, Mark::Failed}) {
            if (const size_t n = counts[static_cast<int>(m)])
                parts.push_back(std::to_string(n) + " " + std::string(info(m).done));
        }
        return out + joined(parts, ", ") + "\n";
    }

  private:
    std::vector<Item> items_;
    std::vector<std::pair<Mark, std::string>> keys_;
    std::vector<size_t> positions_;
};

// The line of a change whose mark is M.
std::string change_text(Mark m, const reconcile::Change& c) {
    const std::string brief = c.action == Action::Replace && c.replaces
                                  ? replace_brief(c.entry, *c.replaces)
                                  : entry_brief(c.entry);
    if (m != Mark::AlreadyDone)
        return brief;
    switch (c.action) {
        case Action::Unmount:
            return brief + " (already unmounted)";
        case Action::Replace:
            return brief + " (already replaced)";
        default:
            return brief + " (already mounted)";
    }
}

// The mark of a change that is (or would be) carried out.
Mark action_mark(Action a) {
    switch (a) {
        case Action::Keep:
            return Mark::Again;
        case Action::Unmount:
            return Mark::Unmount;
        case Action::Replace:
            return Mark::Replace;
        case Action::Mount:
            break;
    }
    return Mark::Mount;
}

Mark planned_mark(const reconcile::PlannedChange& p, bool checked) {
    if (p.change.action == Action::Keep)
        return checked && p.needed ? Mark::Again : Mark::Unchanged;
    return p.needed ? action_mark(p.change.action) : Mark::AlreadyDone;
}

Mark outcome_mark(const reconcile::Outcome& o) {
    switch (o.status) {
        case Status::Failed:
            return Mark::Failed;
        case Status::Skipped:
            return Mark::Skipped;
        case Status::AlreadyDone:
            return o.change->action == Action::Keep ? Mark::Unchanged : Mark::AlreadyDone;
        case Status::Done:
            break;
    }
    return action_mark(o.change->action);
}

std::string change_head(const reconcile::Change& c) {
    return std::string(reconcile::action_name(c.action)) + " " + c.entry.to_string();
}

}  // namespace

bool colour_wanted(int fd) {
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour && *no_colour)
        return false;
    const char* term = std::getenv("TERM");
    if (term && std::string_view(term) == "dumb")
        return false;
    return ::isatty(fd) == 1;
}

std::string entry_brief(const MountEntry& e) {
    std::vector<std::string> details{kind_word(e)};
    if (profile::kind(e) != profile::EntryKind::Symlink &&
        profile::kind(e) != profile::EntryKind::EnsureDir) {
        for (auto& o : shown_options(e))
            details.push_back(std::move(o));
    } else if (auto dir = profile::must_exist_dir(e)) {
        details.push_back("below " + profile::escape(*dir));
    }
    return brief_head(e) + " (" + joined(details, ", ") + ")";
}

std::string replace_brief(const MountEntry& now, const MountEntry& old) {
    std::vector<std::string> parts;
    if (source_of(now) != source_of(old))
        parts.push_back("was " + profile::escape(source_of(old)));
    if (kind_word(now) != kind_word(old))
        parts.push_back(kind_word(now) + ", was " + kind_word(old));
    auto option_diff = [&](auto keep) {
        std::vector<std::string> diff;
        auto pick = [&](const MountEntry& e) {
            std::vector<std::string> out;
            for (const auto& o : e.options) {
                if (keep(o))
                    out.push_back(profile::escape(o));
            }
            return out;
        };
        const auto a = pick(now), b = pick(old);
        for (const auto& o : a) {
            if (std::find(b.begin(), b.end(), o) == b.end())
                diff.push_back("+" + o);
        }
        for (const auto& o : b) {
            if (std::find(a.begin(), a.end(), o) == a.end())
                diff.push_back("-" + o);
        }
        return diff;
    };
    if (now.freq != old.freq)
        parts.push_back("dump " + std::to_string(now.freq) + ", was " + std::to_string(old.freq));
    if (now.passno != old.passno) {
        parts.push_back("pass " + std::to_string(now.passno) + ", was " +
                        std::to_string(old.passno));
    }
    auto diff = option_diff(shown_option);
    // Only bookkeeping differs: say which, rather than nothing.
    if (diff.empty() && parts.empty())
        diff = option_diff([](const std::string& o) { return o != "x-snapd.detach"; });
    parts.insert(parts.end(), diff.begin(), diff.end());
    return brief_head(now) + (parts.empty() ? "" : " (" + joined(parts, ", ") + ")");
}

std::string plan_text(const std::vector<reconcile::PlannedChange>& changes, bool checked,
                      const TextStyle& style) {
    ItemList items;
    for (const auto& p : changes) {
        const Mark m = planned_mark(p, checked);
        items.add(m, p.change.entry, change_text(m, p.change));
    }
    return items.render(style, false);
}

std::string outcomes_text(const std::vector<reconcile::Outcome>& outcomes, const TextStyle& style) {
    ItemList items;
    for (const auto& o : outcomes) {
        items.add_built(o.synthesized);
        const Mark m = outcome_mark(o);
        std::string text = change_text(m, *o.change);
        if (m == Mark::Failed)
            text = std::string(reconcile::action_name(o.change->action)) + " " + text + ": " +
                   o.detail;
        else if (m == Mark::Skipped)
            text += ": skipped";
        items.add(m, o.change->entry, std::move(text));
    }
    return items.render(style, true);
}

std::string drift_text(const reconcile::DriftReport& report, const TextStyle& style) {
    using Type = reconcile::DriftType;
    std::string out;
    size_t counts[3] = {};
    for (const auto& d : report.items) {
        ++counts[static_cast<int>(d.type)];
        switch (d.type) {
            case Type::Missing:
                out += paint(Mark::Unmount, style) + " " +
                       (d.entry ? entry_brief(*d.entry) : profile::escape(d.dir)) + ": missing\n";
                break;
            case Type::Differs:
                out += paint(Mark::Replace, style) + " " +
                       (d.entry ? entry_brief(*d.entry) : profile::escape(d.dir)) + ": " +
                       d.detail + "\n";
                break;
            case Type::Extra:
                out += paint(Mark::Mount, style) + " " + profile::escape(d.dir) + ": " + d.detail +
                       "\n";
                break;
        }
    }
    const std::string checked = std::to_string(report.checked) + " entries checked";
    if (report.in_step())
        return out + "in step: " + checked + "\n";
    std::vector<std::string> parts;
    const char* words[3] = {" missing", " different", " extra"};
    for (int k = 0; k < 3; ++k) {
        if (counts[k])
            parts.push_back(std::to_string(counts[k]) + words[k]);
    }
    return out + "drifted: " + joined(parts, ", ") + " (" + checked + ")\n";
}

std::vector<std::string> reason_lines(const std::vector<reconcile::PlannedChange>& changes) {
    std::vector<std::string> lines;
    for (const auto& p : changes) {
        lines.push_back(change_head(p.change) + (p.needed ? ": needed: " : ": already done: ") +
                        p.reason);
    }
    return lines;
}

std::vector<std::string> reason_lines(const std::vector<reconcile::Outcome>& outcomes) {
    std::vector<std::string> lines;
    for (const auto& o : outcomes) {
        std::string line =
            change_head(*o.change) + ": " + std::string(reconcile::status_name(o.status));
        if (!o.detail.empty())
            line += ": " + o.detail;
        lines.push_back(std::move(line));
        for (const auto& s : o.synthesized)
            lines.push_back("  made for it: " + s.to_string());
    }
    return lines;
}

}  // namespace nsr::cmd
