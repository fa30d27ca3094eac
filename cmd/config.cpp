#include "cmd/config.hpp"

#include <fcntl.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "base/file.hpp"
#include "base/names.hpp"
#include "base/path.hpp"
#include "reconcile/lock.hpp"

namespace nsr::cmd {

namespace {

const std::set<std::string> kTopKeys = {"layout", "paths", "writable", "lock-timeout", "log-level"};
const std::set<std::string> kLayoutKeys = {"native", "snapd"};
const std::set<std::string> kPathKeys = {"ns-file", "desired", "current", "lock"};

std::string joined(const std::set<std::string>& keys) {
    std::string out;
    for (const auto& k : keys)
        out += (out.empty() ? "" : ", ") + k;
    return out;
}

// One "key: value" of a mapping, with the dotted key for messages and the
// line to report: the value's, or the key's when the value is empty (an
// empty value is marked where the next token starts).
struct Entry {
    std::string key;
    YAML::Node value;
    int line;
};

class Reader {
  public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(int line, const std::string& msg) const {
        throw UsageError(path_, line, msg);
    }

    static int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

    static std::string last_word(const std::string& key) { return key.substr(key.rfind('.') + 1); }

    // MAP's entries, each key checked against KNOWN; PREFIX is the dotted
    // key of MAP itself, empty at the top.
    std::vector<Entry> entries(const YAML::Node& map, const std::set<std::string>& known,
                               const std::string& prefix, int line) const {
        if (!map.IsMap())
            fail(line, (prefix.empty() ? "the file" : prefix) + " must be a mapping");
        std::vector<Entry> out;
        for (const auto& kv : map) {
            if (!kv.first.IsScalar()) {
                fail(line_of(kv.first),
                     "a key" + (prefix.empty() ? "" : " in " + prefix) + " must be a plain word");
            }
            const auto& word = kv.first.Scalar();
            const auto key = prefix.empty() ? word : prefix + "." + word;
            if (!known.count(word)) {
                fail(line_of(kv.first),
                     "unknown key '" + key + "' (expected one of: " + joined(known) + ")");
            }
            if (std::any_of(out.begin(), out.end(), [&](const Entry& e) { return e.key == key; }))
                fail(line_of(kv.first), "duplicate key '" + key + "'");
            out.push_back({key, kv.second, line_of(kv.second.IsNull() ? kv.first : kv.second)});
        }
        return out;
    }

    std::string scalar(const Entry& e, const std::string& expected) const {
        if (!e.value.IsScalar())
            fail(e.line, e.key + " must be " + expected);
        return e.value.Scalar();
    }

    std::string path_template(const Entry& e) const {
        std::string t = scalar(e, "an absolute path");
        if (t.empty() || t[0] != '/')
            fail(e.line, e.key + " must be an absolute path, not '" + t + "'");
        // Paths belong to one namespace each; a template without the name
        // would make every namespace share one file.
        if (t.find(kNamePlaceholder) == std::string::npos)
            fail(e.line, e.key + " must contain {name}, the namespace name");
        for (size_t at = t.find('{'); at != std::string::npos; at = t.find('{', at + 1)) {
            if (t.compare(at, kNamePlaceholder.size(), kNamePlaceholder) != 0)
                fail(e.line, e.key + ": the only placeholder is {name}, in '" + t + "'");
        }
        return t;
    }

    PathTemplates layout_paths(const Entry& layout) const {
        PathTemplates p;
        for (const auto& e : entries(layout.value, kPathKeys, layout.key, layout.line)) {
            const auto word = last_word(e.key);
            auto& field = word == "ns-file"   ? p.ns_file
                          : word == "desired" ? p.desired
                          : word == "current" ? p.current
                                              : p.lock;
            field = path_template(e);
        }
        return p;
    }

    std::vector<std::string> writable(const Entry& e) const {
        if (!e.value.IsSequence())
            fail(e.line, e.key + " must be a list of absolute paths");
        std::vector<std::string> out;
        for (const auto& item : e.value) {
            if (!item.IsScalar())
                fail(line_of(item), e.key + " must be a list of absolute paths");
            const std::string& p = item.Scalar();
            if (!base::is_clean_absolute(p))
                fail(line_of(item), e.key + ": '" + p + "' is not an absolute clean path");
            out.push_back(p);
        }
        return out;
    }

    double seconds(const Entry& e) const {
        const std::string expected = "a number of seconds (negative waits forever)";
        const auto text = scalar(e, expected);
        double v = 0;
        try {
            v = e.value.as<double>();
        } catch (const YAML::BadConversion&) {
            fail(e.line, e.key + " must be " + expected + ", not '" + text + "'");
        }
        if (const auto problem = reconcile::lock_timeout_problem(v); !problem.empty())
            fail(e.line, e.key + " " + problem);
        return v;
    }

    Config config(const YAML::Node& root) const {
        Config c;
        if (root.IsNull())
            return c;
        for (const auto& e : entries(root, kTopKeys, "", line_of(root))) {
            try {
                if (e.key == "layout") {
                    c.layout = layout_from_name(scalar(e, "native or snapd"));
                } else if (e.key == "paths") {
                    for (const auto& l : entries(e.value, kLayoutKeys, e.key, e.line))
                        c.paths[layout_from_name(last_word(l.key))] = layout_paths(l);
                } else if (e.key == "writable") {
                    c.writable = writable(e);
                } else if (e.key == "lock-timeout") {
                    c.lock_timeout = seconds(e);
                } else {
                    c.log_level = log_level_from_name(scalar(e, "error or debug"));
                }
            } catch (const std::invalid_argument& x) {
                fail(e.line, e.key + ": " + x.what());
            }
        }
        return c;
    }

  private:
    std::string path_;
};

}  // namespace

LogLevel log_level_from_name(const std::string& name) {
    static constexpr base::Named<LogLevel> kLevels[] = {{LogLevel::Error, "error"},
                                                        {LogLevel::Debug, "debug"}};
    return base::parse_name(kLevels, name, "log level");
}

Config load_config(const std::string& path, bool missing_is_empty) {
    // A configuration file is a few lines; the bound only stops a runaway.
    constexpr size_t kMaxConfigBytes = 1 << 20;
    std::optional<std::string> text;
    try {
        text = base::try_read_file_at(AT_FDCWD, path, kMaxConfigBytes, path);
    } catch (const std::system_error& e) {
        throw UsageError(path, 0, "cannot read: " + e.code().message());
    }
    if (!text) {
        if (missing_is_empty)
            return {};
        throw UsageError(path, 0, std::string("cannot read: ") + std::strerror(ENOENT));
    }
    return parse_config(*text, path);
}

Config parse_config(const std::string& text, const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw UsageError(path, e.mark.line + 1, e.msg);
    }
    return Reader(path).config(root);
}

}  // namespace nsr::cmd
