#include "reconcile/recovery.hpp"

#include <algorithm>

#include "base/path.hpp"
#include "profile/xsnapd.hpp"
#include "reconcile/change.hpp"
#include "reconcile/needed.hpp"

namespace nsr::reconcile {

using base::clean_path;
using profile::MountEntry;

namespace {

class Recovery {
  public:
    Recovery(MountView& view, const FsView& fs, MountView* sources,
             const std::function<void(const std::string&)>& debug)
        : view_(view), fs_(fs), sources_(sources), debug_(debug) {}

    // Whether E (any kind) is there: a mount showing it anywhere in the
    // stack at its directory, its symlink.
    bool shows(const MountEntry& e) {
        return !needed({Action::Mount, e, std::nullopt}, view_, fs_, sources_).needed;
    }

    // How far a replacement got: the new mount on top, or the old one on
    // top with the new one right beneath (the run was killed between
    // attaching beneath and detaching), or neither.
    enum class Stage { Done, HalfDone, Other };
    Stage stage(const MountEntry& old, const MountEntry& neu) {
        const auto stack = view_.stack_at(clean_path(neu.dir));
        if (stack.empty())
            return Stage::Other;
        if (shows_entry(neu, stack[0], view_, sources_))
            return Stage::Done;
        if (stack.size() > 1 && shows_entry(old, stack[0], view_, sources_) &&
            shows_entry(neu, stack[1], view_, sources_))
            return Stage::HalfDone;
        return Stage::Other;
    }

    void debug(const std::string& line) const {
        if (debug_)
            debug_(line);
    }

  private:
    MountView& view_;
    const FsView& fs_;
    MountView* sources_;
    const std::function<void(const std::string&)>& debug_;
};

bool contains(const std::vector<MountEntry>& v, const MountEntry& e) {
    return std::find(v.begin(), v.end(), e) != v.end();
}

}  // namespace

Recovered recover(profile::MountProfile current, bool current_lost, const Journal& journal,
                  MountView& view, const FsView& fs, MountView* sources,
                  const CompleteReplace& complete,
                  const std::function<void(const std::string&)>& debug) {
    Recovered r;
    std::vector<MountEntry>& entries = r.current.entries;
    if (current_lost && journal.found()) {
        if (debug)
            debug("the current profile is lost; starting from the journal's");
        entries = journal.saved();
    } else {
        entries = std::move(current.entries);
    }
    if (journal.claims().empty())
        return r;
    Recovery rec(view, fs, sources, debug);
    // E, which the kernel shows, joins the entries, in the place of WAS
    // when given. What else the entries have at E's mount point and the
    // kernel does not show any more (unmounted by the killed run, before
    // the mount: snapd's order) goes: it must not be taken for a second
    // entry stacked there, which a plan would keep and mount again.
    auto adopt = [&](const MountEntry& e, const MountEntry* was) {
        if (contains(entries, e))
            return;
        // WAS as the current profile has it: the old entry of a
        // replacement gained x-snapd.detach (reconcile/plan.hpp, R6).
        auto at = was ? std::find_if(
                            entries.begin(), entries.end(),
                            [&](const MountEntry& x) { return profile::same_but_detach(x, *was); })
                      : entries.end();
        if (at != entries.end())
            *at = e;
        else
            entries.push_back(e);
        if (!is_mount_kind(e))
            return;
        const std::string dir = clean_path(e.dir);
        std::erase_if(entries, [&](const MountEntry& x) {
            return !(x == e) && clean_path(x.dir) == dir && is_mount_kind(x) && !rec.shows(x);
        });
    };
    // Replacements first: completing one brings the mounts carried on its
    // new mount into sight, which the mount claims then find.
    for (const Claim& c : journal.claims()) {
        if (c.kind != Claim::Kind::Replace)
            continue;
        const MountEntry& old = c.entries[0];
        const MountEntry& neu = c.entries[1];
        const std::string dir = clean_path(neu.dir);
        switch (rec.stage(old, neu)) {
            case Recovery::Stage::Done:
                adopt(neu, &old);
                break;
            case Recovery::Stage::HalfDone:
                if (complete && complete(dir)) {
                    rec.debug("replace at " + dir +
                              ": an earlier run attached the new mount beneath the old one; "
                              "detached the old one");
                    view.record_detach(dir);
                    adopt(neu, &old);
                } else {
                    r.pending.push_back(c);
                }
                break;
            case Recovery::Stage::Other:
                break;
        }
    }
    for (const Claim& c : journal.claims()) {
        switch (c.kind) {
            case Claim::Kind::Replace:
                break;
            case Claim::Kind::Mount:
                if (!contains(entries, c.entries[0]) && rec.shows(c.entries[0]))
                    adopt(c.entries[0], nullptr);
                break;
            case Claim::Kind::Mimic:
                // The tmpfs decides: it is attached with its bind-backs in.
                if (contains(entries, c.entries[0]) || !rec.shows(c.entries[0]))
                    break;
                rec.debug("mimic at " + clean_path(c.entries[0].dir) +
                          ": made by an earlier run; adopting it");
                for (const MountEntry& e : c.entries) {
                    if (!contains(entries, e))
                        entries.push_back(e);
                }
                break;
        }
    }
    return r;
}

}  // namespace nsr::reconcile
