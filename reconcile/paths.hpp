// Lexical path helpers shared by the planner and the executor.
#pragma once

#include <string>
#include <string_view>

namespace nsr::reconcile {

// Lexical cleaning, like Go's filepath.Clean: "//" collapsed, "." and ".."
// resolved, no trailing '/'. "" becomes ".".
std::string clean_path(std::string_view path);

// dirname of a clean absolute path; "/" for "/x" and for "/".
std::string parent_dir(std::string_view path);

// DIR/NAME for a clean absolute DIR ("/" + "x" is "/x").
std::string child_path(std::string_view dir, std::string_view name);

// snapd's mount point order: compare as if each path ended with '/', so a
// directory sorts immediately before everything inside it.
bool dir_less(std::string_view a, std::string_view b);

// PATH is DIR or lies below it (both clean and absolute).
bool is_within(std::string_view path, std::string_view dir);

}  // namespace nsr::reconcile
