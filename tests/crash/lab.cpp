#include "tests/crash/lab.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

namespace nsr::crash {

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

bool under(const std::string& path, const std::string& root) {
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                            path[root.size()] == '/');
}

std::string dev_of(const mountinfo::Mount& m) {
    return std::to_string(m.major) + ":" + std::to_string(m.minor);
}

// The mounts at or below the root, with "@" for it.
std::vector<mountinfo::Mount> ours(const Sandbox& sb) {
    std::vector<mountinfo::Mount> out;
    for (mountinfo::Mount& m : sb.app_mounts()) {
        if (!under(m.mount_point, sb.root()))
            continue;
        m.mount_point = "@" + m.mount_point.substr(sb.root().size());
        out.push_back(std::move(m));
    }
    return out;
}

Labels smallest_mount_points(const std::vector<mountinfo::Mount>& mounts) {
    Labels labels;
    for (const mountinfo::Mount& m : mounts) {
        auto [it, added] = labels.emplace(dev_of(m), m.mount_point);
        if (!added)
            it->second = std::min(it->second, m.mount_point);
    }
    return labels;
}

std::string propagation(const mountinfo::Mount& m) {
    std::string kind;
    for (const std::string& f : m.optional_fields) {
        std::string k = f.substr(0, f.find(':'));
        kind += (kind.empty() ? "" : ",") + (k == "master" ? std::string("slave") : k);
    }
    return kind.empty() ? "private" : kind;
}

std::string tmpfs_options(const mountinfo::Mount& m) {
    if (m.fstype != "tmpfs")
        return "";
    std::string s;
    for (const char* key : {"mode", "uid", "gid"}) {
        if (auto v = m.super_option(key))
            s += std::string(s.empty() ? " [" : ",") + key + "=" + *v;
    }
    return s.empty() ? s : s + "]";
}

}  // namespace

std::string at_root(const Sandbox& sb, const std::string& text) {
    return replace_all(text, "@", sb.root());
}

Labels pristine_labels(const Sandbox& sb) {
    return smallest_mount_points(ours(sb));
}

Snapshot snapshot(const Sandbox& sb, const Labels& pristine) {
    const std::vector<mountinfo::Mount> mounts = ours(sb);
    Labels labels = smallest_mount_points(mounts);
    for (auto& [dev, mp] : labels) {
        auto p = pristine.find(dev);
        mp = p != pristine.end() ? p->second : "new@" + mp;
    }
    std::map<long, const mountinfo::Mount*> by_id;
    for (const mountinfo::Mount& m : mounts)
        by_id[m.id] = &m;
    std::vector<std::pair<std::pair<std::string, int>, std::string>> rows;
    for (const mountinfo::Mount& m : mounts) {
        // How many mounts lie beneath this one at its mount point.
        int depth = 0;
        std::string parent = "-";
        for (auto p = by_id.find(m.parent_id); p != by_id.end();
             p = by_id.find(p->second->parent_id)) {
            if (parent == "-")
                parent = p->second->mount_point;
            if (p->second->mount_point != m.mount_point)
                break;
            ++depth;
        }
        std::ostringstream row;
        row << m.mount_point << " #" << depth << " (in " << parent << ") " << m.fstype
            << " src=" << replace_all(m.source, sb.root(), "@") << " root=" << m.root
            << " dev=" << labels[dev_of(m)] << " " << m.mount_options << tmpfs_options(m) << " "
            << propagation(m);
        rows.push_back({{m.mount_point, depth}, row.str()});
    }
    std::sort(rows.begin(), rows.end());
    Snapshot s;
    for (auto& r : rows)
        s.mounts.push_back(std::move(r.second));

    const std::string& r = sb.root();
    const test::Output found =
        sb.app({"find", r, "(", "-path", r + "/state", "-o", "-path", r + "/ns", ")", "-prune",
                "-o", "-printf", "%y %m %U:%G %p -> %l\\n"});
    if (found.status != 0)
        throw std::runtime_error("cannot list the application's files: " + found.err);
    std::istringstream lines(found.out);
    for (std::string line; std::getline(lines, line);)
        s.tree.push_back(replace_all(line, r, "@"));
    std::sort(s.tree.begin(), s.tree.end(), [](const std::string& a, const std::string& b) {
        return a.substr(a.find(" @")) < b.substr(b.find(" @"));
    });
    return s;
}

std::string diff(const Snapshot& a, const Snapshot& b) {
    std::string out;
    // By count: two mounts can give one line (the same mount point, depth
    // and parent's mount point), and a history can stack one of them twice.
    auto one = [&](const std::vector<std::string>& x, const std::vector<std::string>& y) {
        std::map<std::string, int> count;
        for (const std::string& l : x)
            ++count[l];
        for (const std::string& l : y)
            --count[l];
        for (const auto& [l, n] : count) {
            for (int k = 0; k < n; ++k)
                out += "- " + l + "\n";
            for (int k = 0; k < -n; ++k)
                out += "+ " + l + "\n";
        }
    };
    one(a.mounts, b.mounts);
    one(a.tree, b.tree);
    return out.empty() && !(a == b) ? "(the same lines in another order)\n" : out;
}

namespace {

bool changes_state(const std::string& name, const std::string& line) {
    static const std::set<std::string> changing = {
        "mount",  "umount2",  "move_mount", "mount_setattr", "mkdir",     "mkdirat",  "rmdir",
        "unlink", "unlinkat", "symlink",    "symlinkat",     "rename",    "renameat", "renameat2",
        "write",  "pwrite64", "writev",     "fsync",         "fdatasync", "fchmod",   "fchmodat",
        "fchown", "fchownat", "ftruncate",  "linkat",        "link",      "creat"};
    if (changing.count(name))
        return true;
    return (name == "openat" || name == "open" || name == "openat2") &&
           line.find("O_CREAT") != std::string::npos;
}

}  // namespace

std::vector<KillPoint> kill_points(const std::string& strace_listing) {
    std::vector<KillPoint> points;
    std::map<std::string, unsigned> seen;
    std::istringstream lines(strace_listing);
    bool after_change = false;
    for (std::string line; std::getline(lines, line);) {
        // "+++ exited with 0 +++", "--- SIGCHLD ... ---".
        if (line.empty() || line.starts_with("+++") || line.starts_with("---"))
            continue;
        const size_t paren = line.find('(');
        if (paren == std::string::npos || paren == 0)
            throw std::runtime_error("cannot read strace line: " + line);
        const std::string name = line.substr(0, paren);
        const bool changing = changes_state(name, line);
        points.push_back(
            {name, ++seen[name], changing || after_change, !name.starts_with("syscall_")});
        after_change = changing;
    }
    return points;
}

}  // namespace nsr::crash
