// Lexical path handling, with snapd's rules (Go's filepath.Clean, which
// snapd uses for every mount point and source). Nothing here touches the
// filesystem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nsr::base {

// Go's filepath.Clean: "//" collapsed, "." dropped, ".." resolved (at the
// root it stays at the root), no trailing '/'. "" becomes ".".
std::string clean_path(std::string_view path);

// PATH is absolute and already clean ("/" included).
bool is_clean_absolute(std::string_view path);

// The non-empty components of PATH in order ("/a//b/" gives a, b); "." and
// ".." are kept as they are.
std::vector<std::string> split_path(std::string_view path);

// dirname of a clean path: "/" for "/x" and for "/", "." for "x".
std::string parent_dir(std::string_view path);

// DIR/NAME for a clean DIR ("/" + "x" is "/x").
std::string child_path(std::string_view dir, std::string_view name);

// PATH is DIR or lies below it (both clean and absolute).
bool is_within(std::string_view path, std::string_view dir);

// snapd's mount point order: compare as if each path ended with '/', so a
// directory sorts immediately before everything inside it.
bool dir_less(std::string_view a, std::string_view b);

}  // namespace nsr::base
