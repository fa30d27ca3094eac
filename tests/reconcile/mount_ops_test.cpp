// MountOps::clone: one open_tree_attr(2) call where the kernel has it,
// open_tree and mount_setattr where it does not (ENOSYS, remembered) or
// where the attributes must not reach the whole copy; the copy is
// read-only either way. On real mounts in a private namespace.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <sstream>
#include <string>
#include <system_error>

#include "base/fd.hpp"
#include "mntns/namespace.hpp"
#include "reconcile/mount_ops.hpp"
#include "tests/reconcile/fake_kernel.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::reconcile;
using namespace nsr::test;
using nsr::base::Fd;

namespace {

void check(int rc, const std::string& what) {
    if (rc < 0)
        throw std::system_error(errno, std::generic_category(), what);
}

// The names of K's calls from FROM on, space-separated.
std::string calls(const FakeKernel& k, size_t from = 0) {
    std::string out;
    for (size_t i = from; i < k.calls().size(); ++i)
        out += (out.empty() ? "" : " ") + k.calls()[i].name;
    return out;
}

// Clones S/src with ATTRS through OPS, attaches it at S/tN and says
// whether it is read-only there.
bool clone_is_ro(MountOps& ops, const std::string& s, int n, const MountAttrs& attrs) {
    const int src = ::open((s + "/src").c_str(), O_PATH | O_CLOEXEC);
    check(src, "open src");
    const Fd tree = ops.clone(Fd(src), attrs);
    const std::string point = s + "/t" + std::to_string(n);
    check(::mkdir(point.c_str(), 0755), "mkdir " + point);
    const int target = ::open(point.c_str(), O_PATH | O_CLOEXEC);
    check(target, "open " + point);
    check(ops.attach(tree, Fd(target), false), "attach");
    struct statvfs st {};
    check(::statvfs(point.c_str(), &st), "statvfs");
    return (st.f_flag & ST_RDONLY) != 0;
}

}  // namespace

TEST_CASE("clone: open_tree_attr where the kernel has it, else open_tree and mount_setattr") {
    require_root("clones real mounts in a private mount namespace");
    Scratch scratch;
    const std::string s = scratch.path();
    const std::string report = nsr::mntns::run_in_private([&] {
        check(::mount("tmpfs", s.c_str(), "tmpfs", 0, "size=1m"), "tmpfs");
        check(::mkdir((s + "/src").c_str(), 0755), "mkdir src");
        std::ostringstream out;
        {
            FakeKernel k;
            MountOps ops(k);
            out << "ro " << clone_is_ro(ops, s, 0, {MS_RDONLY}) << ": " << calls(k, 0) << "\n";
            // A recursive copy with runc's top-only flags: two calls.
            const size_t from = k.calls().size();
            out << "ro " << clone_is_ro(ops, s, 1, {MS_RDONLY, true, true, true}) << ": "
                << calls(k, from) << "\n";
        }
        {
            FakeKernel k;
            k.fail_at(0, ENOSYS);
            MountOps ops(k);
            out << "ro " << clone_is_ro(ops, s, 2, {MS_RDONLY}) << ": " << calls(k, 0) << "\n";
            const size_t from = k.calls().size();
            out << "ro " << clone_is_ro(ops, s, 3, {MS_RDONLY}) << ": " << calls(k, from) << "\n";
        }
        return out.str();
    });
    CHECK(report ==
          "ro 1: open_tree_attr move_mount\n"
          "ro 1: open_tree mount_setattr move_mount\n"
          "ro 1: open_tree_attr open_tree mount_setattr move_mount\n"
          "ro 1: open_tree mount_setattr move_mount\n");
}
