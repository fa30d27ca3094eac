#include "base/options.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace nsr::base;

namespace {

std::vector<std::string> items(std::string_view options) {
    std::vector<std::string> out;
    for (const Option& o : OptionList(options)) {
        out.push_back(std::string(o.key) + (o.value ? "=" + std::string(*o.value) : ""));
    }
    return out;
}

}  // namespace

TEST_CASE("OptionList splits on commas, skips empty items and splits at the first '='") {
    CHECK(items("").empty());
    CHECK(items(",,").empty());
    CHECK(items("ro") == std::vector<std::string>{"ro"});
    CHECK(items("ro,,mode=0755,") == std::vector<std::string>{"ro", "mode=0755"});
    CHECK(items("lowerdir=/a:/b,x=y=z") == std::vector<std::string>{"lowerdir=/a:/b", "x=y=z"});
    CHECK(items("empty=") == std::vector<std::string>{"empty="});
    for (const Option& o : OptionList("a=1")) {
        CHECK(o.text == "a=1");
        CHECK(o.key == "a");
    }
}

TEST_CASE("find_option gives the first value of a key, empty for a bare flag") {
    const std::string_view s = "rw,size=1024k,mode=755,inode64,modex=1,mode=700";
    CHECK(find_option(s, "mode") == "755");
    CHECK(find_option(s, "inode64") == "");
    CHECK_FALSE(find_option(s, "mod").has_value());
    CHECK_FALSE(find_option(s, "uid").has_value());
}

TEST_CASE("has_option matches whole items only") {
    CHECK(has_option("rw,nosuid", "nosuid"));
    CHECK_FALSE(has_option("rw,nosuid", "nosu"));
    CHECK_FALSE(has_option("rw,nosuid", "suid"));
    CHECK_FALSE(has_option("", "ro"));
}
