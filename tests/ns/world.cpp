#include "tests/ns/world.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "mountinfo/mount_table.hpp"

namespace nsr::test {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void mount_tmpfs(const std::string& dir) {
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "mode=0755") != 0)
        fail("cannot mount a tmpfs on " + dir);
}

}  // namespace

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

Cmd run(const std::vector<std::string>& argv, const std::string& input,
        const std::vector<std::string>& env) {
    char in_name[] = "/tmp/nsr-in-XXXXXX";
    char out_name[] = "/tmp/nsr-out-XXXXXX";
    char err_name[] = "/tmp/nsr-err-XXXXXX";
    int in_fd = ::mkstemp(in_name);
    int out_fd = ::mkstemp(out_name);
    int err_fd = ::mkstemp(err_name);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0)
        fail("cannot make a capture file");
    ::unlink(in_name);
    ::unlink(out_name);
    ::unlink(err_name);
    if (::write(in_fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
        ::lseek(in_fd, 0, SEEK_SET) != 0) {
        fail("cannot write the input file");
    }
    pid_t pid = ::fork();
    if (pid < 0)
        fail("cannot fork");
    if (pid == 0) {
        ::dup2(in_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        for (const auto& e : env)
            ::putenv(const_cast<char*>(e.c_str()));
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(in_fd);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            fail("cannot wait for " + argv[0]);
    }
    Cmd c;
    c.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    for (auto [fd, text] : {std::pair{out_fd, &c.out}, {err_fd, &c.err}}) {
        ::lseek(fd, 0, SEEK_SET);
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0)
            text->append(buf, static_cast<size_t>(n));
        ::close(fd);
    }
    return c;
}

Cmd tool(const std::vector<std::string>& args) {
    std::vector<std::string> argv{NSR_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

std::string sh(const std::string& script) {
    Cmd c = run({"/bin/sh", "-ec", script});
    INFO("script: ", script, "\nstderr: ", c.err);
    REQUIRE(c.status == 0);
    return c.out;
}

World::World() {
    mount_tmpfs("/run");
    mount_tmpfs("/var/lib");
    char name[] = "/tmp/nsr-world-XXXXXX";
    if (!::mkdtemp(name))
        fail("cannot make a scratch dir");
    scratch_ = name;
    mount_tmpfs(scratch_);
    sh("cd " + scratch_ +
       " && mkdir -p prov/1/lib prov/2/lib app/data app/cache /var/lib/nsreconcile/profiles"
       " && echo 1 > prov/1/lib/f && echo 2 > prov/2/lib/f");
}

World::~World() {
    // Lazily, so a namespace file or a busy mount left by a failed test
    // cannot keep the scratch from going.
    ::umount2(scratch_.c_str(), MNT_DETACH);
    ::rmdir(scratch_.c_str());
    ::umount2("/var/lib", MNT_DETACH);
    ::umount2("/run", MNT_DETACH);
}

void World::desire(const std::string& name, const std::string& fstab) const {
    write_file("/var/lib/nsreconcile/profiles/" + name + ".fstab", fstab);
}

std::vector<std::string> World::mounts_in(const std::string& name) const {
    Cmd c = tool({"ns", "run", name, "--", "cat", "/proc/self/mountinfo"});
    REQUIRE_MESSAGE(c.status == 0, c.err);
    std::vector<std::string> points;
    const auto table = mountinfo::MountTable::parse(c.out);
    for (const auto& m : table.mounts())
        points.push_back(m.mount_point);
    return points;
}

}  // namespace nsr::test
