#include "profile/validate.hpp"

#include <map>
#include <optional>
#include <stdexcept>

#include "base/path.hpp"
#include "base/quote.hpp"
#include "profile/bind_flags.hpp"
#include "profile/overlay_spec.hpp"
#include "profile/xsnapd.hpp"

namespace nsr::profile {
namespace {

// User profiles name places relative to the user's directories; snap-update-ns
// expands these before it touches anything.
constexpr std::string_view kPathVariables[] = {"$XDG_RUNTIME_DIR", "$HOME"};

// What is wrong with PATH as an absolute, clean path (WHAT names it in the
// message), or nothing.
std::optional<std::string> path_problem(std::string_view what, const std::string& path) {
    std::string_view prefix;
    std::string_view rest = path;
    for (std::string_view var : kPathVariables) {
        if (rest == var) {
            return std::nullopt;
        }
        if (rest.starts_with(var) && rest[var.size()] == '/') {
            prefix = var;
            rest.remove_prefix(var.size());
            break;
        }
    }
    const std::string subject = std::string(what) + " " + base::quote(path);
    if (rest.empty() || rest.front() != '/') {
        return subject + " is not an absolute path";
    }
    for (const auto& component : base::split_path(rest)) {
        if (component == "..") {
            return subject + " contains a \"..\" component";
        }
    }
    // Below a variable, "/" is the variable itself: "$HOME/" is "$HOME".
    const std::string clean = base::clean_path(rest);
    const std::string expected =
        prefix.empty() ? clean : std::string(prefix) + (clean == "/" ? "" : clean);
    if (expected != path) {
        return subject + " is not clean, expected " + base::quote(expected);
    }
    return std::nullopt;
}

// The accessors throw on malformed values; here each becomes one problem.
template <typename Accessor>
std::optional<std::string> value_problem(Accessor accessor, const MountEntry& e) {
    try {
        accessor(e);
    } catch (const std::invalid_argument& err) {
        return err.what();
    }
    return std::nullopt;
}

// The layers, upper and work paths of an overlay entry, then its shape.
void overlay_problems(const MountEntry& e, std::vector<std::optional<std::string>>& found) {
    OverlaySpec spec;
    try {
        spec = overlay_spec_parse(e);
    } catch (const std::invalid_argument& err) {
        found.push_back(std::string("overlay ") + base::quote(e.dir) + ": " + err.what());
        return;
    }
    for (size_t i = 0; i < spec.lower.size(); ++i)
        found.push_back(path_problem("lower layer " + std::to_string(i + 1), spec.lower[i]));
    for (size_t i = 0; i < spec.data.size(); ++i)
        found.push_back(path_problem("data layer " + std::to_string(i + 1), spec.data[i]));
    if (spec.upper)
        found.push_back(path_problem("upperdir", *spec.upper));
    if (spec.work)
        found.push_back(path_problem("workdir", *spec.work));
    for (auto& p : overlay_spec_problems(spec, e.dir))
        found.push_back(std::move(p));
}

// nsreconcile's own x-nsr.* options: known, and on the entries they are for.
void nsr_option_problems(const MountEntry& e, std::vector<std::optional<std::string>>& found) {
    for (const auto& o : e.options) {
        if (!o.starts_with(kNsrPrefix))
            continue;
        const std::string_view name = std::string_view(o).substr(kNsrPrefix.size());
        const bool bind_only = o == kTopFlagsOption || is_recursive_flag(name);
        if (bind_only && !is_bind(e)) {
            found.push_back(o + " is only for bind and rbind entries");
        } else if (!bind_only && !name.starts_with("volatile-stale=")) {
            found.push_back("unknown option " + base::quote(o));
        }
    }
}

std::vector<std::string> entry_problems(const MountEntry& e) {
    std::vector<std::optional<std::string>> found;
    found.push_back(path_problem("mount point", e.dir));
    if (is_bind(e)) {
        found.push_back(path_problem("bind source", e.name));
    }
    if (kind(e) == EntryKind::Unknown) {
        found.push_back("unknown x-snapd.kind " + base::quote(kind_name(e)));
    }
    if (origin(e) == Origin::Unknown) {
        found.push_back("unknown x-snapd.origin " + base::quote(origin_name(e)));
    }
    found.push_back(value_problem(mode, e));
    found.push_back(value_problem(uid, e));
    found.push_back(value_problem(gid, e));
    if (kind(e) == EntryKind::Symlink && symlink_target(e).value_or("").empty()) {
        found.push_back("symlink " + base::quote(e.dir) + " has no x-snapd.symlink target");
    }
    if (auto dir = must_exist_dir(e)) {
        found.push_back(path_problem("x-snapd.must-exist-dir", *dir));
    }
    if (e.type == "overlay" && !is_bind(e)) {
        overlay_problems(e, found);
    }
    nsr_option_problems(e, found);
    std::vector<std::string> problems;
    for (auto& p : found) {
        if (p) {
            problems.push_back(std::move(*p));
        }
    }
    return problems;
}

// Two overlay entries that name a common upperdir or workdir: both cannot
// be live at once. FIRST_USER maps each such directory to the line of the
// first overlay naming it.
void shared_pair_problem(const MountEntry& e, std::map<std::string, int>& first_user,
                         std::vector<Problem>& problems) {
    if (e.type != "overlay" || is_bind(e) || !overlay_has_upper(e))
        return;
    const OverlaySpec spec = overlay_spec_parse(e);
    for (const std::string& dir : {base::clean_path(*spec.upper), base::clean_path(*spec.work)}) {
        auto [it, inserted] = first_user.emplace(dir, e.line);
        if (!inserted && it->second != e.line) {
            problems.push_back({e.line, "overlay " + base::quote(e.dir) + ": " + base::quote(dir) +
                                            " is the upperdir or workdir of the overlay at line " +
                                            std::to_string(it->second) +
                                            " too: two live overlays may not share them"});
            return;
        }
    }
}

}  // namespace

std::vector<Problem> validate_profile(const MountProfile& profile) {
    std::vector<Problem> problems;
    // ensure-dir entries only create directories, so they may share a mount
    // point with the entry that mounts there.
    std::map<std::string, int> first_line_of_dir;
    std::map<std::string, int> first_overlay_of_dir;
    for (const auto& e : profile.entries) {
        for (auto& message : entry_problems(e)) {
            problems.push_back({e.line, std::move(message)});
        }
        shared_pair_problem(e, first_overlay_of_dir, problems);
        if (kind(e) == EntryKind::EnsureDir) {
            continue;
        }
        auto [it, inserted] = first_line_of_dir.emplace(e.dir, e.line);
        if (!inserted) {
            problems.push_back({e.line, "duplicate mount point " + e.dir + " (first at line " +
                                            std::to_string(it->second) + ")"});
        }
    }
    return problems;
}

}  // namespace nsr::profile
