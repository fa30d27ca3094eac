// Lexical paths, checked against what Go's filepath.Clean (snapd's rule)
// gives for the same input.
#include "base/path.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace nsr::base;

TEST_CASE("clean_path follows Go's filepath.Clean") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "."},
        {"/", "/"},
        {"//", "/"},
        {"/a/b/", "/a/b"},
        {"/a//b", "/a/b"},
        {"/a/./b", "/a/b"},
        {"/a/../b", "/b"},
        {"/../a", "/a"},
        {"/a/b/../../..", "/"},
        {"a/../..", ".."},
        {"a/./b/", "a/b"},
        {"./", "."},
        {"../../a/..", "../.."},
        {"$HOME/./x", "$HOME/x"},
    };
    for (const auto& [in, want] : cases) {
        INFO(in);
        CHECK(clean_path(in) == want);
    }
}

TEST_CASE("is_clean_absolute accepts exactly the paths clean_path keeps and that start at /") {
    CHECK(is_clean_absolute("/"));
    CHECK(is_clean_absolute("/a/b"));
    CHECK_FALSE(is_clean_absolute(""));
    CHECK_FALSE(is_clean_absolute("a/b"));
    CHECK_FALSE(is_clean_absolute("/a/"));
    CHECK_FALSE(is_clean_absolute("/a/./b"));
    CHECK_FALSE(is_clean_absolute("/a/../b"));
    CHECK_FALSE(is_clean_absolute("//a"));
}

TEST_CASE("split_path gives the non-empty components and keeps . and ..") {
    CHECK(split_path("/").empty());
    CHECK(split_path("").empty());
    CHECK(split_path("/a//b/") == std::vector<std::string>{"a", "b"});
    CHECK(split_path("a/./../b") == std::vector<std::string>{"a", ".", "..", "b"});
}

TEST_CASE("parent_dir, child_path and is_within") {
    CHECK(parent_dir("/a/b") == "/a");
    CHECK(parent_dir("/a") == "/");
    CHECK(parent_dir("/") == "/");
    CHECK(parent_dir("a") == ".");
    CHECK(child_path("/", "x") == "/x");
    CHECK(child_path("/a", "x") == "/a/x");
    CHECK(is_within("/a/b", "/a"));
    CHECK(is_within("/a", "/a"));
    CHECK(is_within("/a", "/"));
    CHECK_FALSE(is_within("/ab", "/a"));
    CHECK_FALSE(is_within("/", "/a"));
    CHECK_FALSE(is_within("a", "/"));
}

TEST_CASE("dir_less sorts a directory right before what is inside it, as snapd does") {
    std::vector<std::string> dirs = {"/a-b", "/a/c", "/a", "/a/b", "/", "/a.b"};
    std::sort(dirs.begin(), dirs.end(),
              [](const auto& x, const auto& y) { return dir_less(x, y); });
    // '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f): "/a-b" < "/a/"; plain
    // byte order would put "/a" first and "/a-b" between "/a" and "/a/b".
    CHECK(dirs == std::vector<std::string>{"/", "/a-b", "/a.b", "/a", "/a/b", "/a/c"});
    CHECK_FALSE(dir_less("/a", "/a"));
}
