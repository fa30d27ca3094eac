// overlay_matches() against what the running kernel really shows for real
// overlays, mounted in a private namespace in every way the layers can be
// given: one fsconfig string, mount(2) data (as runc does), one "lowerdir+"
// string per layer, and by fd. Each mount is read back from
// /proc/self/mountinfo (raw, and through MountTable) and from statmount
// (option string and option array).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "mntns/namespace.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/overlay_spec.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/overlay_match.hpp"
#include "tests/reconcile/raw_mountinfo.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::base;
using namespace nsr::reconcile;
using namespace nsr::test;
using namespace nsr::mntns;
using nsr::profile::OverlaySpec;
using Strings = std::vector<std::string>;

namespace {

// statmount(2) (Linux 6.8; the option array 6.13), which Debian 12's
// headers do not have yet.
struct StatMount {
    uint32_t size, mnt_opts;
    uint64_t mask;
    uint32_t sb_dev_major, sb_dev_minor;
    uint64_t sb_magic;
    uint32_t sb_flags, fs_type;
    uint64_t mnt_id, mnt_parent_id;
    uint32_t mnt_id_old, mnt_parent_id_old;
    uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
    uint32_t mnt_root, mnt_point;
    uint64_t mnt_ns_id;
    uint32_t fs_subtype, sb_source, opt_num, opt_array, opt_sec_num, opt_sec_array;
    uint64_t supported_mask;
    uint32_t mnt_uidmap_num, mnt_uidmap, mnt_gidmap_num, mnt_gidmap;
    uint64_t spare[43];
    char str[];
};
struct MntIdReq {
    uint32_t size, spare;
    uint64_t mnt_id, param;
};
constexpr long kSysStatmount = 457;
constexpr unsigned kStatxMntIdUnique = 0x4000;
constexpr uint64_t kSbBasic = 0x1, kMntOpts = 0x80, kOptArray = 0x400;

struct Shown {
    std::string mountinfo_raw;     // the super options field as the kernel wrote it
    std::string mountinfo_parsed;  // as MountTable has it
    std::string statmount_opts;    // "ro,"/"rw," + mnt_opts
    Strings statmount_array;
    bool read_only = false;
};

void check(int rc, const std::string& what) {
    if (rc < 0)
        throw std::system_error(errno, std::generic_category(), what);
}

Shown shown_at(const std::string& path) {
    Shown s;
    s.mountinfo_raw = raw_super_options(path);
    const auto table = nsr::mountinfo::MountTable::from_self();
    const auto* top = table.top_at(path);
    if (!top)
        throw std::runtime_error("nothing mounted at " + path);
    s.mountinfo_parsed = top->super_options;
    struct statx stx {};
    check(::statx(AT_FDCWD, path.c_str(), 0, kStatxMntIdUnique, &stx), "statx " + path);
    MntIdReq req{24, 0, stx.stx_mnt_id, kSbBasic | kMntOpts | kOptArray};
    std::vector<char> buf(1 << 16);
    check(static_cast<int>(::syscall(kSysStatmount, &req, buf.data(), buf.size(), 0)),
          "statmount " + path);
    const auto* sm = reinterpret_cast<const StatMount*>(buf.data());
    s.read_only = sm->sb_flags & 1;
    s.statmount_opts = std::string(s.read_only ? "ro," : "rw,") + (sm->str + sm->mnt_opts);
    const char* p = sm->str + sm->opt_array;
    for (uint32_t i = 0; i < sm->opt_num; ++i) {
        s.statmount_array.emplace_back(p);
        p += s.statmount_array.back().size() + 1;
    }
    return s;
}

// "" when WANT matches in every reading of what is mounted at PATH, else
// what differed.
std::string all_readings_match(const OverlaySpec& want, const std::string& path) {
    const Shown s = shown_at(path);
    std::string out;
    for (const auto& [name, text] : {std::pair{"mountinfo", s.mountinfo_raw},
                                     {"MountTable", s.mountinfo_parsed},
                                     {"statmount string", s.statmount_opts}}) {
        auto m = overlay_matches(want, text);
        if (!m.matches)
            out += std::string(name) + " (" + text + "): " + m.why + "\n";
    }
    auto m = overlay_matches(want, s.statmount_array, s.read_only);
    if (!m.matches)
        out += "statmount array: " + m.why + "\n";
    return out;
}

// What no reading matches: every reading says why, and the same why.
std::string no_reading_matches(const OverlaySpec& want, const std::string& path) {
    const Shown s = shown_at(path);
    const std::string why = overlay_matches(want, s.mountinfo_raw).why;
    for (const auto& text : {s.mountinfo_raw, s.mountinfo_parsed, s.statmount_opts}) {
        auto m = overlay_matches(want, text);
        if (m.matches || m.why != why)
            return "matched or differently: " + text;
    }
    auto m = overlay_matches(want, s.statmount_array, s.read_only);
    if (m.matches || m.why != why)
        return "matched or differently: the statmount array";
    return why;
}

struct Layers {
    Strings lower;
    Strings data;
    std::string upper;
    std::string work;
};

enum class How { OneString, MountData, StringPerLayer, FdPerLayer };

// The overlay's own escaping of a path inside one lowerdir=/upperdir= string.
std::string ovl_escape(const std::string& p, bool commas) {
    std::string out;
    for (char c : p) {
        if (c == ':' || c == '\\' || (commas && c == ','))
            out += '\\';
        out += c;
    }
    return out;
}

void mount_overlay(const Layers& l, How how, const std::string& target) {
    LinuxKernel k;
    if (how == How::MountData) {
        std::string lower;
        for (const auto& p : l.lower)
            lower += (lower.empty() ? "" : ":") + ovl_escape(p, true);
        for (const auto& p : l.data)
            lower += "::" + ovl_escape(p, true);
        std::string data = "lowerdir=" + lower;
        if (!l.upper.empty()) {
            data +=
                ",upperdir=" + ovl_escape(l.upper, true) + ",workdir=" + ovl_escape(l.work, true);
        }
        check_rc(k.mount("overlay", target.c_str(), "overlay", 0, data.c_str()), "mount " + data);
        return;
    }
    Fd fs(check_rc(k.fsopen("overlay", FSOPEN_CLOEXEC), "fsopen"));
    auto set = [&](const char* key, const std::string& path) {
        if (how == How::FdPerLayer) {
            Fd dir(check_rc(k.openat(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                            "open " + path));
            check_rc(k.fsconfig(fs.get(), FSCONFIG_SET_FD, key, nullptr, dir.get()),
                     std::string("fsconfig fd ") + key);
        } else {
            check_rc(k.fsconfig(fs.get(), FSCONFIG_SET_STRING, key, path.c_str(), 0),
                     std::string("fsconfig ") + key + "=" + path);
        }
    };
    if (how == How::OneString) {
        std::string lower;
        for (const auto& p : l.lower)
            lower += (lower.empty() ? "" : ":") + ovl_escape(p, false);
        for (const auto& p : l.data)
            lower += "::" + ovl_escape(p, false);
        check_rc(k.fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0),
                 "fsconfig lowerdir=" + lower);
        if (!l.upper.empty()) {
            set("upperdir", ovl_escape(l.upper, false));
            set("workdir", ovl_escape(l.work, false));
        }
    } else {
        for (const auto& p : l.lower)
            set("lowerdir+", p);
        for (const auto& p : l.data)
            set("datadir+", p);
        if (!l.upper.empty()) {
            // As strings, upperdir and workdir are unescaped by the kernel
            // (lowerdir+ strings are not).
            const bool escape = how == How::StringPerLayer;
            set("upperdir", escape ? ovl_escape(l.upper, false) : l.upper);
            set("workdir", escape ? ovl_escape(l.work, false) : l.work);
        }
    }
    check_rc(k.fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0), "create overlay");
    Fd mnt(check_rc(k.fsmount(fs.get(), FSMOUNT_CLOEXEC, 0), "fsmount"));
    check_rc(k.move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH),
             "move_mount to " + target);
}

// In a private namespace: a tmpfs on a scratch directory R holding the
// directories of MAKE(R) and R/m, the overlay mounted HOW at R/m, then
// BODY's verdict.
std::string with_overlay(
    const std::function<Layers(const std::string& root)>& make, How how,
    const std::function<std::string(const Layers&, const std::string&)>& body) {
    Scratch s;
    return run_in_private([&] {
        LinuxKernel k;
        check_rc(k.mount("tmpfs", s.path().c_str(), "tmpfs", 0, "mode=0755"), "tmpfs");
        const Layers l = make(s.path());
        Strings dirs = l.lower;
        dirs.insert(dirs.end(), l.data.begin(), l.data.end());
        for (const auto& d : {l.upper, l.work, s / "m"})
            if (!d.empty())
                dirs.push_back(d);
        for (const auto& d : dirs)
            check(::mkdir(d.c_str(), 0755), "mkdir " + d);
        mount_overlay(l, how, s / "m");
        return body(l, s / "m");
    });
}

OverlaySpec spec_of(const Layers& l) {
    OverlaySpec s;
    s.lower = l.lower;
    s.data = l.data;
    if (!l.upper.empty()) {
        s.upper = l.upper;
        s.work = l.work;
    }
    return s;
}

const How kAllWays[] = {How::OneString, How::MountData, How::StringPerLayer, How::FdPerLayer};

std::string name_of(How how) {
    switch (how) {
        case How::OneString:
            return "one fsconfig string";
        case How::MountData:
            return "mount(2) data";
        case How::StringPerLayer:
            return "lowerdir+ strings";
        case How::FdPerLayer:
            return "lowerdir+ fds";
    }
    return "?";
}

std::string matches_everywhere(const Layers& l, const std::string& target) {
    return all_readings_match(spec_of(l), target);
}

}  // namespace

TEST_CASE("three lower layers and an upper, paths with ':' ',' and ' ', every way") {
    require_root("mounts overlays in a private namespace");
    for (How how : kAllWays) {
        CAPTURE(name_of(how));
        auto make = [](const std::string& r) {
            return Layers{
                {r + "/a", r + "/e:f", r + "/c,d", r + "/sp ace"}, {}, r + "/u,2", r + "/w:2"};
        };
        CHECK(with_overlay(make, how, matches_everywhere) == "");
    }
}

TEST_CASE("data-only layers, every way") {
    require_root("mounts overlays in a private namespace");
    for (How how : kAllWays) {
        CAPTURE(name_of(how));
        auto make = [](const std::string& r) {
            return Layers{{r + "/a", r + "/b"}, {r + "/d1", r + "/d:2"}, "", ""};
        };
        CHECK(with_overlay(make, how, matches_everywhere) == "");
    }
}

TEST_CASE("a backslash in a layer path, every way") {
    require_root("mounts overlays in a private namespace");
    for (How how : kAllWays) {
        CAPTURE(name_of(how));
        auto make = [](const std::string& r) {
            return Layers{{r + "/g\\h", r + "/b"}, {}, r + "/u\\v", r + "/w"};
        };
        CHECK(with_overlay(make, how, matches_everywhere) == "");
    }
}

TEST_CASE("a different order, upper or read-only state is seen in every reading") {
    require_root("mounts overlays in a private namespace");
    auto make = [](const std::string& r) {
        return Layers{{r + "/a", r + "/b"}, {}, r + "/u", r + "/w"};
    };
    for (How how : {How::OneString, How::FdPerLayer}) {
        CAPTURE(name_of(how));
        const std::string verdicts =
            with_overlay(make, how, [](const Layers& l, const std::string& target) {
                OverlaySpec swapped = spec_of(l);
                std::swap(swapped.lower[0], swapped.lower[1]);
                OverlaySpec other_upper = spec_of(l);
                other_upper.upper = *other_upper.upper + "2";
                OverlaySpec no_upper = spec_of(l);
                no_upper.upper.reset();
                no_upper.work.reset();
                OverlaySpec ro = spec_of(l);
                ro.read_only = true;
                // The scratch root is R in the verdicts.
                const std::string root = l.lower[0].substr(0, l.lower[0].size() - 2);
                std::string out;
                for (const auto& want : {swapped, other_upper, no_upper, ro}) {
                    std::string why = no_reading_matches(want, target);
                    for (size_t at; (at = why.find(root)) != std::string::npos;)
                        why.replace(at, root.size(), "R");
                    out += why + "\n";
                }
                return out;
            });
        CHECK(verdicts ==
              "has lower layers \"R/a\", \"R/b\", the entry \"R/b\", \"R/a\"\n"
              "has upperdir \"R/u\", the entry \"R/u2\"\n"
              "has upperdir \"R/u\", the entry none\n"
              "is read-write, the entry says ro\n");
    }
}
