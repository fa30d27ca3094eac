#include "tests/tuck/lab.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/reconcile/scratch.hpp"
#include "tests/tuck/app_namespace.hpp"

namespace nsr::tuck::test {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

Lab::Lab(std::string root) : root_(std::move(root)) {
    if (::mount("tmpfs", root_.c_str(), "tmpfs", 0, "mode=0755") != 0)
        fail("cannot mount a tmpfs at " + root_);
}

void Lab::make_dirs(const std::string& rel) const {
    fs::create_directories(path(rel));
}

void Lab::write(const std::string& rel, const std::string& content) const {
    fs::create_directories(fs::path(path(rel)).parent_path());
    std::ofstream out(path(rel), std::ios::binary);
    out << content;
    if (!out)
        throw std::runtime_error("cannot write " + path(rel));
}

void Lab::bind_ro(const std::string& from, const std::string& to) const {
    make_dirs(to);
    const std::string src = path(from), dst = path(to);
    if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0)
        fail("cannot bind " + src + " at " + dst);
    if (::mount(nullptr, dst.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
        fail("cannot make " + dst + " read-only");
}

void Lab::make_namespace(const std::function<void()>& inside) const {
    make_dirs("ns");
    make_dirs("state");
    make_app_namespace(ns_file(), inside);
}

Lab::Run Lab::apply(const std::string& desired, const std::string& extra) const {
    write("state/desired.fstab", desired);
    if (!fs::exists(path("state/current.fstab")))
        write("state/current.fstab", "");
    const std::string cmd = std::string(NSR_BINARY) + " apply app --ns-file " + ns_file() +
                            " --desired " + path("state/desired.fstab") + " --current " +
                            path("state/current.fstab") + " --lock " + path("state/app.lock") +
                            " " + extra + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        fail("cannot run " + cmd);
    std::string out;
    std::array<char, 4096> buf{};
    while (size_t n = std::fread(buf.data(), 1, buf.size(), p))
        out.append(buf.data(), n);
    int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string Lab::current() const {
    std::ifstream in(path("state/current.fstab"), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

mountinfo::MountTable Lab::table() const {
    return mountinfo::MountTable::parse(run_in_namespace(ns_file(), [] {
        std::ifstream in("/proc/self/mountinfo");
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }));
}

Report run_lab(const std::function<void(Lab&)>& setup, const std::function<Report(Lab&)>& body,
               const std::function<void(const Lab&)>& inside) {
    reconcile::test::Scratch scratch;
    CpuPin pin;
    return Report::parse(reconcile::test::run_in_private_ns([&] {
        Lab lab(scratch.path());
        setup(lab);
        lab.make_namespace([&] {
            if (inside)
                inside(lab);
        });
        pin.restore();
        return body(lab).str();
    }));
}

long mounts_below(const mountinfo::MountTable& table, const std::string& dir) {
    long n = 0;
    for (const auto& m : table.mounts()) {
        if (m.mount_point.size() > dir.size() && m.mount_point.starts_with(dir + "/"))
            ++n;
    }
    return n;
}

}  // namespace nsr::tuck::test
