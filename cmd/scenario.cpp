#include "cmd/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "base/file.hpp"
#include "cmd/json_text.hpp"
#include "profile/fstab.hpp"
#include "reconcile/needed.hpp"
#include "reconcile/plan.hpp"
#include "reconcile/table_mount_view.hpp"

namespace nsr::cmd {

namespace {

const std::set<std::string> kTopKeys = {"name", "description", "tuck",    "mountinfo",
                                        "fs",   "current",     "desired", "expected"};
const std::set<std::string> kFsKeys = {"dirs", "files", "symlinks"};
const std::set<std::string> kChangeKeys = {"action", "entry", "replaces", "needed", "reason"};

[[noreturn]] void fail(const std::string& path, const YAML::Node& at, const std::string& msg) {
    const int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    throw base::InputError(path, line, msg);
}

void check_keys(const std::string& path, const YAML::Node& map, const std::set<std::string>& known,
                const std::string& what) {
    if (!map.IsMap())
        fail(path, map, what + " must be a mapping");
    for (const auto& kv : map) {
        // A complex key ("? [a, b]: ...") has no string form.
        if (!kv.first.IsScalar())
            fail(path, kv.first, "a key in " + what + " must be a plain word");
        const auto& key = kv.first.Scalar();
        if (!known.count(key))
            fail(path, kv.first, "unknown key '" + key + "' in " + what);
    }
}

std::set<std::string> string_set(const std::string& path, const YAML::Node& n,
                                 const std::string& what) {
    std::set<std::string> out;
    if (!n)
        return out;
    if (!n.IsSequence())
        fail(path, n, what + " must be a list of paths");
    for (const auto& item : n)
        out.insert(item.as<std::string>());
    return out;
}

// Profile text embedded in the scenario; line numbers in errors point into
// the scenario file.
profile::MountProfile embedded_profile(const std::string& path, const YAML::Node& n,
                                       const std::string& key) {
    if (!n)
        return {};
    if (!n.IsScalar())
        fail(path, n, key + " must be fstab text (use a '|' block)");
    const int first_line = n.Mark().line + 1;
    try {
        return profile::parse_profile(n.as<std::string>(), path + " (" + key + ")");
    } catch (const base::InputError& e) {
        throw base::InputError(path, first_line + e.line(), key + ": " + e.message());
    }
}

ExpectedChange expected_change(const std::string& path, const YAML::Node& n) {
    check_keys(path, n, kChangeKeys, "an expected change");
    ExpectedChange c;
    if (!n["action"] || !n["entry"])
        fail(path, n, "an expected change needs action and entry");
    c.action = n["action"].as<std::string>();
    if (!reconcile::action_from_name(c.action))
        fail(path, n, "unknown action '" + c.action + "'");
    c.entry = n["entry"].as<std::string>();
    if (n["replaces"])
        c.replaces = n["replaces"].as<std::string>();
    if (n["needed"])
        c.needed = n["needed"].as<bool>();
    if (n["reason"])
        c.reason = n["reason"].as<std::string>();
    return c;
}

// YAML is Unicode text: a byte that is not part of UTF-8 makes the file
// invalid, and would make its plan impossible to print as JSON.
void check_utf8(const std::string& text, const std::string& path) {
    size_t line = 1;
    for (size_t start = 0; start < text.size(); ++line) {
        const size_t end = std::min(text.find('\n', start), text.size());
        if (!is_utf8(std::string_view(text).substr(start, end - start))) {
            throw base::InputError(path, line, "not UTF-8 text (YAML files must be)");
        }
        start = end + 1;
    }
}

}  // namespace

Scenario load_scenario(const std::string& path) {
    std::string text;
    try {
        text = base::read_file(path, kMaxScenarioBytes);
    } catch (const std::system_error& e) {
        throw base::InputError(path, 0, "cannot read: " + e.code().message());
    }
    return parse_scenario(text, path);
}

Scenario parse_scenario(const std::string& text, const std::string& path) {
    check_utf8(text, path);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw base::InputError(path, e.mark.line + 1, e.msg);
    }
    check_keys(path, root, kTopKeys, "the scenario");
    Scenario s;
    s.path = path;
    try {
        s.name = root["name"] ? root["name"].as<std::string>() : path;
        if (root["tuck"])
            s.tuck = root["tuck"].as<bool>();
        if (root["mountinfo"]) {
            s.table = mountinfo::MountTable::parse(root["mountinfo"].as<std::string>(),
                                                   path + " (mountinfo)");
        }
        std::set<std::string> dirs, files;
        std::map<std::string, std::string> symlinks;
        if (const auto& fs = root["fs"]) {
            check_keys(path, fs, kFsKeys, "fs");
            dirs = string_set(path, fs["dirs"], "fs.dirs");
            files = string_set(path, fs["files"], "fs.files");
            if (fs["symlinks"]) {
                if (!fs["symlinks"].IsMap())
                    fail(path, fs["symlinks"], "fs.symlinks must map link to target");
                for (const auto& kv : fs["symlinks"]) {
                    symlinks[kv.first.as<std::string>()] = kv.second.as<std::string>();
                }
            }
        }
        s.fs = std::make_unique<reconcile::TableFsView>(dirs, files, symlinks);
        s.current = embedded_profile(path, root["current"], "current");
        s.desired = embedded_profile(path, root["desired"], "desired");
        if (const auto& exp = root["expected"]) {
            if (!exp.IsSequence())
                fail(path, exp, "expected must be a list of changes");
            s.expected.emplace();
            for (const auto& c : exp)
                s.expected->push_back(expected_change(path, c));
        }
    } catch (const YAML::Exception& e) {
        throw base::InputError(path, e.mark.line + 1, e.msg);
    }
    return s;
}

std::vector<reconcile::PlannedChange> plan_scenario(const Scenario& s, bool tuck) {
    std::optional<reconcile::TableMountView> view;
    if (s.table)
        view.emplace(*s.table);
    return reconcile::judge(reconcile::plan(s.current, s.desired, *s.fs, {.tuck = tuck}),
                            view ? &*view : nullptr, *s.fs);
}

}  // namespace nsr::cmd
