#include <doctest/doctest.h>
#include <sys/mount.h>

#include "profile/flags.hpp"

using nsr::profile::flags_to_options;
using nsr::profile::MountFlags;
using nsr::profile::options_to_flags;

namespace {

struct Row {
    const char* option;
    unsigned long flags;
};

// snapd's MountOptsToCommonFlags table (osutil/mountentry_linux.go).
const Row kSnapdTable[] = {
    {"rw", 0},
    {"ro", MS_RDONLY},
    {"nosuid", MS_NOSUID},
    {"nodev", MS_NODEV},
    {"noexec", MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS},
    {"remount", MS_REMOUNT},
    {"mand", MS_MANDLOCK},
    {"dirsync", MS_DIRSYNC},
    {"noatime", MS_NOATIME},
    {"nodiratime", MS_NODIRATIME},
    {"relatime", MS_RELATIME},
    {"strictatime", MS_STRICTATIME},
    {"bind", MS_BIND},
    {"rbind", MS_BIND | MS_REC},
    {"move", MS_MOVE},
    {"silent", MS_SILENT},
    {"acl", MS_POSIXACL},
    {"private", MS_PRIVATE},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},
    {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC},
};

}  // namespace

TEST_CASE("each option of snapd's table sets exactly its flags and no data") {
    for (const auto& row : kSnapdTable) {
        CAPTURE(row.option);
        MountFlags got = options_to_flags({row.option});
        CHECK(got.flags == row.flags);
        CHECK(got.data == "");
    }
}

TEST_CASE("flags of several options are ORed together") {
    MountFlags got = options_to_flags({"rbind", "ro", "nosuid", "rslave"});
    CHECK(got.flags == (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_SLAVE));
}

TEST_CASE("rw does not clear an earlier ro, as in snapd") {
    CHECK(options_to_flags({"ro", "rw"}).flags == MS_RDONLY);
    CHECK(options_to_flags({"rw", "ro"}).flags == MS_RDONLY);
}

TEST_CASE("unrecognised options, defaults and unbindable are data, in order") {
    MountFlags got = options_to_flags(
        {"mode=0755", "defaults", "nosuid", "unbindable", "size=10M", "runbindable", "uid=0"});
    CHECK(got.flags == MS_NOSUID);
    CHECK(got.data == "mode=0755,defaults,unbindable,size=10M,runbindable,uid=0");
}

TEST_CASE("x-snapd options are dropped") {
    MountFlags got = options_to_flags({"bind", "x-snapd.kind=file", "x-snapd.origin=layout",
                                       "x-snapd.synthetic", "x-snapd.detach"});
    CHECK(got.flags == MS_BIND);
    CHECK(got.data == "");
}

TEST_CASE("user-space options never reach the kernel") {
    MountFlags got = options_to_flags({"x-gvfs-show", "X-mount.mkdir", "user", "users", "nofail",
                                       "noauto", "_netdev", "comment=hi", "owner", "ro"});
    CHECK(got.flags == MS_RDONLY);
    CHECK(got.data == "");
}

TEST_CASE("negations of default flags set nothing and are not data") {
    for (const char* option : {"suid", "dev", "exec", "async", "atime", "diratime", "norelatime",
                               "nostrictatime", "loud", "nomand", "nolazytime", "symfollow"}) {
        CAPTURE(option);
        MountFlags got = options_to_flags({option});
        CHECK(got.flags == 0);
        CHECK(got.data == "");
    }
    CHECK(options_to_flags({"nosuid", "suid"}).flags == MS_NOSUID);
}

TEST_CASE("other VFS flags libmount knows become their MS_ flags") {
    CHECK(options_to_flags({"lazytime"}).flags == MS_LAZYTIME);
    CHECK(options_to_flags({"iversion"}).flags == MS_I_VERSION);
    CHECK(options_to_flags({"nosymfollow"}).flags == MS_NOSYMFOLLOW);
}

TEST_CASE("an empty option list sets nothing") {
    MountFlags got = options_to_flags({});
    CHECK(got.flags == 0);
    CHECK(got.data == "");
}

TEST_CASE("flags_to_options names flags the way the profile does") {
    CHECK(flags_to_options(0) == "");
    CHECK(flags_to_options(MS_RDONLY | MS_NOSUID) == "ro,nosuid");
    CHECK(flags_to_options(MS_BIND) == "bind");
    CHECK(flags_to_options(MS_BIND | MS_REC) == "rbind");
    CHECK(flags_to_options(MS_SHARED | MS_REC) == "rshared");
    CHECK(flags_to_options(MS_REMOUNT | MS_RDONLY) == "ro,remount");
    CHECK(flags_to_options(MS_MOVE) == "move");
    CHECK(flags_to_options(MS_POSIXACL) == "acl");
    CHECK(flags_to_options(MS_REC) == "");
}

TEST_CASE("every single row of snapd's table survives flags_to_options and back") {
    for (const auto& row : kSnapdTable) {
        CAPTURE(row.option);
        const std::string names = flags_to_options(row.flags);
        CHECK(names == (row.flags == 0 ? "" : row.option));
    }
}

TEST_CASE("combined flags survive flags_to_options and back") {
    const unsigned long all = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS |
                              MS_MANDLOCK | MS_DIRSYNC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
                              MS_STRICTATIME | MS_SILENT | MS_POSIXACL | MS_BIND | MS_REC |
                              MS_SLAVE;
    const std::string names = flags_to_options(all);
    std::vector<std::string> options;
    size_t start = 0;
    for (size_t comma; (comma = names.find(',', start)) != std::string::npos; start = comma + 1) {
        options.push_back(names.substr(start, comma - start));
    }
    options.push_back(names.substr(start));
    CHECK(options_to_flags(options).flags == all);
}
