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

namespace {

// Go's filepath.Clean, written out plainly as a model: the components
// kept on a stack, ".." popping one ("/.." stays at the root).
std::string model_clean(const std::string& path) {
    const bool rooted = !path.empty() && path[0] == '/';
    std::vector<std::string> kept;
    for (const auto& part : split_path(path)) {
        if (part == ".")
            continue;
        if (part == ".." && !kept.empty() && kept.back() != "..")
            kept.pop_back();
        else if (part != ".." || !rooted)
            kept.push_back(part);
    }
    std::string out = rooted ? "/" : "";
    for (size_t i = 0; i < kept.size(); ++i)
        out += (i ? "/" : "") + kept[i];
    return out.empty() ? "." : out;
}

}  // namespace

TEST_CASE("clean_path agrees with a model of Go's filepath.Clean on every short path") {
    // Every path of up to four components drawn from these, with and
    // without a leading '/'.
    const std::vector<std::string> parts = {"", ".", "..", "a", "bc", "..."};
    std::vector<std::string> paths = {""};
    for (int depth = 0; depth < 4; ++depth) {
        const size_t n = paths.size();
        for (size_t i = 0; i < n; ++i) {
            for (const auto& p : parts)
                paths.push_back(paths[i] + (paths[i].empty() ? "" : "/") + p);
        }
    }
    for (const auto& relative : paths) {
        for (const std::string& path : {relative, "/" + relative}) {
            INFO(path);
            const std::string want = model_clean(path);
            CHECK(clean_path(path) == want);
            CHECK(is_clean_absolute(path) == (!path.empty() && path[0] == '/' && want == path));
        }
    }
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
