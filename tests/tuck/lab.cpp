#include "tests/tuck/lab.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "mntns/namespace.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scratch.hpp"

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
    nsr::test::write_file(path(rel), content);
}

void Lab::write_numbered(const std::string& dir, char prefix, int count,
                         const std::string& content) const {
    for (int i = 0; i < count; ++i)
        write(dir + "/" + numbered(prefix, i), content);
}

void Lab::make_provider(const std::function<void(const std::string& img, int rev)>& fill) const {
    for (int rev : {1, 2}) {
        const std::string img = "img/p" + std::to_string(rev);
        fill(img, rev);
        bind_ro(img, "snap/p/" + std::to_string(rev));
    }
}

void Lab::make_consumer() const {
    make_dirs("img/app/data");
    bind_ro("img/app", "snap/app/1");
}

std::string Lab::content_entry(int rev) const {
    return path("snap/p/" + std::to_string(rev)) + " " + path("snap/app/1/data") +
           " none bind,ro 0 0\n";
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
    nsr::mntns::bind_new(ns_file(), nsr::mntns::Propagation::Private, inside);
}

nsr::test::Output Lab::apply(const std::string& desired,
                             const std::vector<std::string>& extra) const {
    write("state/desired.fstab", desired);
    if (!fs::exists(path("state/current.fstab")))
        write("state/current.fstab", "");
    std::vector<std::string> args{"apply",     "app",
                                  "--ns-file", ns_file(),
                                  "--desired", path("state/desired.fstab"),
                                  "--current", path("state/current.fstab"),
                                  "--lock",    path("state/app.lock")};
    args.insert(args.end(), extra.begin(), extra.end());
    return nsr::test::run_binary(args, nsr::test::kMerged);
}

std::string Lab::current() const {
    return nsr::test::read_file(path("state/current.fstab"));
}

mountinfo::MountTable Lab::table() const {
    return mountinfo::MountTable::parse(
        nsr::mntns::run_in(ns_file(), [] { return nsr::test::read_file("/proc/self/mountinfo"); }));
}

Report run_lab(const std::function<void(Lab&)>& setup, const std::function<Report(Lab&)>& body,
               const std::function<void(const Lab&)>& inside) {
    nsr::test::Scratch scratch;
    try {
        return Report::parse(nsr::mntns::run_in_private([&] {
            Lab lab(scratch.path());
            setup(lab);
            lab.make_namespace([&] {
                if (inside)
                    inside(lab);
            });
            return body(lab).str();
        }));
    } catch (const std::exception& e) {
        return Report::failed(e.what());
    }
}

long mounts_below(const mountinfo::MountTable& table, const std::string& dir) {
    long n = 0;
    for (const auto& m : table.mounts()) {
        if (m.mount_point.size() > dir.size() && m.mount_point.starts_with(dir + "/"))
            ++n;
    }
    return n;
}

std::string numbered(char prefix, int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%03d", prefix, i);
    return buf;
}

std::vector<const mountinfo::Mount*> record_stack(Report& r, const mountinfo::MountTable& table,
                                                  const std::string& dir, const std::string& key) {
    auto stack = table.stack_at(dir);
    r.set("mounts_at_" + key, static_cast<long>(stack.size()));
    r.set("root_at_" + key, stack.empty() ? "" : stack.front()->root);
    return stack;
}

}  // namespace nsr::tuck::test
