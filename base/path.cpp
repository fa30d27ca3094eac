#include "base/path.hpp"

#include <algorithm>
#include <cstring>

namespace nsr::base {

namespace {

// PATH is what clean_path gives for it, told without building that: no
// empty or "." component, ".." only at the start of a relative path, no
// trailing '/'. Most paths are clean already; this spares them the copy
// into components.
bool is_clean(std::string_view path) {
    if (path == "/" || path == ".")
        return true;
    if (path.empty())
        return false;
    const bool rooted = path.front() == '/';
    bool leading_dots = !rooted;
    // One pass over the characters: the components of a mount point are
    // short, and a search per component costs more than it spares.
    for (size_t pos = rooted ? 1 : 0;;) {
        size_t end = pos;
        while (end < path.size() && path[end] != '/')
            ++end;
        const size_t len = end - pos;
        if (len == 0 || (len == 1 && path[pos] == '.'))
            return false;
        if (len != 2 || path[pos] != '.' || path[pos + 1] != '.')
            leading_dots = false;
        else if (!leading_dots)
            return false;
        if (end == path.size())
            return true;
        pos = end + 1;
    }
}

}  // namespace

std::string clean_path(std::string_view path) {
    if (is_clean(path))
        return std::string(path);
    if (path.empty())
        return ".";
    const bool rooted = path.front() == '/';
    std::vector<std::string_view> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos)
            end = path.size();
        std::string_view part = path.substr(pos, end - pos);
        pos = end + 1;
        if (part.empty() || part == ".")
            continue;
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..") {
                parts.pop_back();
            } else if (!rooted) {
                parts.push_back(part);
            }
            continue;
        }
        parts.push_back(part);
    }
    std::string out = rooted ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0)
            out += '/';
        out += parts[i];
    }
    return out.empty() ? "." : out;
}

bool is_clean_absolute(std::string_view path) {
    return !path.empty() && path.front() == '/' && is_clean(path);
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos < path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos)
            end = path.size();
        if (end > pos)
            parts.emplace_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

std::string parent_dir(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos)
        return ".";
    if (slash == 0)
        return "/";
    return std::string(path.substr(0, slash));
}

std::string child_path(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (out.empty() || out.back() != '/')
        out += '/';
    out += name;
    return out;
}

bool is_within(std::string_view path, std::string_view dir) {
    if (dir == "/")
        return !path.empty() && path.front() == '/';
    if (path.size() < dir.size() || path.substr(0, dir.size()) != dir)
        return false;
    return path.size() == dir.size() || path[dir.size()] == '/';
}

bool dir_less(std::string_view a, std::string_view b) {
    // Compares A+"/" with B+"/" (no slash added where one ends the path)
    // without building either string: this runs inside sorts of 10^4 entries.
    const size_t la = a.size() + ((a.empty() || a.back() != '/') ? 1 : 0);
    const size_t lb = b.size() + ((b.empty() || b.back() != '/') ? 1 : 0);
    auto at = [](std::string_view s, size_t i) -> unsigned char {
        return i < s.size() ? static_cast<unsigned char>(s[i]) : '/';
    };
    // Within both strings, memcmp tells the first difference (as unsigned
    // bytes); only the added slashes are left to compare byte by byte.
    const size_t both = std::min(a.size(), b.size());
    if (const int c = both ? std::memcmp(a.data(), b.data(), both) : 0; c != 0)
        return c < 0;
    for (size_t i = both; i < la && i < lb; ++i) {
        const unsigned char ca = at(a, i), cb = at(b, i);
        if (ca != cb)
            return ca < cb;
    }
    return la < lb;
}

}  // namespace nsr::base
