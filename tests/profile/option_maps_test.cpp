// profile/option_maps.cpp keeps its own copy of libmount's option maps, so
// that the binary does not load libmount: checked here against libmount
// itself, map by map and option by option (the splitting and naming the
// product did through libmount before, as the reference).
#include "profile/option_maps.hpp"

#include <libmount/libmount.h>
#include <sys/mount.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "profile/flags.hpp"

using namespace nsr::profile;

namespace {

const libmnt_optmap* libmount_map(int which) {
    return mnt_get_builtin_optmap(which);
}

// What the product computed through libmount: split OPTION by libmount's
// maps, then its flags by the Linux map.
MountFlags libmount_flags(const std::string& option) {
    MountFlags out;
    char* user = nullptr;
    char* vfs = nullptr;
    char* fs = nullptr;
    REQUIRE(mnt_split_optstr(option.c_str(), &user, &vfs, &fs, 0, 0) == 0);
    if (vfs)
        mnt_optstr_get_flags(option.c_str(), &out.flags, libmount_map(MNT_LINUX_MAP));
    else if (!user)
        out.data = option;
    std::free(user);
    std::free(vfs);
    std::free(fs);
    return out;
}

// The names libmount gives FLAGS, less "rw" and the non-recursive twin of a
// recursive name, as the product kept them.
std::string libmount_names(unsigned long flags) {
    char* raw = nullptr;
    std::string named;
    if (mnt_optstr_apply_flags(&raw, flags, libmount_map(MNT_LINUX_MAP)) == 0 && raw)
        named = raw;
    std::free(raw);
    std::vector<std::string> names;
    for (size_t start = 0; start < named.size();) {
        const size_t comma = std::min(named.find(',', start), named.size());
        names.push_back(named.substr(start, comma - start));
        start = comma + 1;
    }
    std::string out;
    for (const auto& name : names) {
        bool recursive = false;
        for (const auto& other : names)
            recursive = recursive || other == "r" + name;
        if (name != "rw" && !recursive)
            out += (out.empty() ? "" : ",") + name;
    }
    return out;
}

}  // namespace

TEST_CASE("the Linux option map is libmount's, entry by entry") {
    const auto ours = linux_option_map();
    size_t i = 0;
    for (const libmnt_optmap* e = libmount_map(MNT_LINUX_MAP); e->name; ++e, ++i) {
        CAPTURE(e->name);
        REQUIRE(i < ours.size());
        CHECK(ours[i].name == e->name);
        CHECK(ours[i].bits == static_cast<unsigned long>(e->id));
        CHECK(ours[i].clear == ((e->mask & MNT_INVERT) != 0));
    }
    CHECK(i == ours.size());
}

TEST_CASE("every name of libmount's user-space map is a user-space option") {
    for (const libmnt_optmap* e = libmount_map(MNT_USERSPACE_MAP); e->name; ++e) {
        std::string name = e->name;
        CAPTURE(name);
        if (e->id == 0) {
            CHECK_FALSE(is_userspace_option(name, false));
            continue;
        }
        if (e->mask & MNT_PREFIX) {
            CHECK(is_userspace_option(name + "anything", true));
            continue;
        }
        const bool takes_value = name.find('=') != std::string::npos;
        name = name.substr(0, name.find_first_of("[="));
        CHECK(is_userspace_option(name, false));
        CHECK(is_userspace_option(name, true) == takes_value);
        CHECK_FALSE(is_userspace_option(name + "x", false));
    }
}

TEST_CASE("options split into flags and data as libmount splits them") {
    std::vector<std::string> options;
    for (int which : {MNT_LINUX_MAP, MNT_USERSPACE_MAP}) {
        for (const libmnt_optmap* e = libmount_map(which); e->name; ++e) {
            std::string name = e->name;
            name = name.substr(0, name.find_first_of("[="));
            for (const char* tail : {"", "=1", "=", "x"})
                options.push_back(name + tail);
        }
    }
    for (const char* o : {"mode=0755", "size=10M", "uid=1000", "lowerdir=/a:/b", "x-gvfs-show",
                          "X-mount.mkdir", "nosub", "sub", "r", "", "=", "=ro", "ro=", "user=joe"})
        options.push_back(o);
    for (const auto& option : options) {
        // snapd's own exceptions are the product's, not libmount's.
        if (option == "defaults" || option == "unbindable" || option == "runbindable")
            continue;
        CAPTURE(option);
        const MountFlags want = libmount_flags(option);
        const MountFlags got = options_to_flags({option});
        CHECK(got.flags == want.flags);
        CHECK(got.data == want.data);
    }
}

TEST_CASE("flags are named as libmount names them") {
    std::vector<unsigned long> sets;
    for (const auto& e : linux_option_map())
        sets.push_back(e.bits);
    sets.push_back(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    sets.push_back(MS_BIND | MS_REC | MS_RDONLY | MS_SLAVE | MS_REC);
    sets.push_back(MS_SHARED | MS_PRIVATE | MS_REC);
    sets.push_back(MS_REC);
    sets.push_back(0);
    for (const unsigned long flags : sets) {
        CAPTURE(flags);
        CHECK(flags_to_options(flags) == libmount_names(flags));
    }
}
