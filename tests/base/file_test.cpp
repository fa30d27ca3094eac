#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <random>
#include <system_error>

#include "base/fd.hpp"
#include "base/file.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scratch.hpp"

using namespace nsr::base;
using nsr::test::Scratch;
using nsr::test::write_file;

namespace {

Fd open_dir(const std::string& path) {
    Fd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
    return fd;
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        names.push_back(entry.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool is_temp_name(const std::string& name, const std::string& target) {
    if (name.size() != target.size() + 14 ||
        name.compare(0, target.size() + 1, target + ".") != 0 || name.back() != '~') {
        return false;
    }
    for (size_t i = target.size() + 1; i < name.size() - 1; ++i) {
        if (!std::isalnum(static_cast<unsigned char>(name[i]))) {
            return false;
        }
    }
    return true;
}

std::string payload(size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(size, '\0');
    for (auto& c : s) {
        c = static_cast<char>(rng());
    }
    return s;
}

// Runs BODY in a forked child and returns its wait status.
template <typename Body>
int in_child(Body body) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        _exit(body());
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return status;
}

// The errno of the std::system_error that BODY throws; 0 when it throws none.
template <typename Body>
int errno_of(Body body, std::string* what = nullptr) {
    try {
        body();
    } catch (const std::system_error& e) {
        if (what)
            *what = e.what();
        return e.code().value();
    }
    return 0;
}

}  // namespace

TEST_CASE("write_file_at creates the file with the data and exactly the mode") {
    Scratch dir;
    const Fd fd = open_dir(dir.path());
    mode_t old_umask = umask(077);
    write_file_at(fd.get(), "state.fstab", "hello\n", 0644, dir / "state.fstab");
    umask(old_umask);
    CHECK(nsr::test::read_file(dir / "state.fstab") == "hello\n");
    struct stat st {};
    REQUIRE(stat((dir / "state.fstab").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"state.fstab"});
}

TEST_CASE("write_file_at replaces an existing file and writes an empty one") {
    Scratch dir;
    const Fd fd = open_dir(dir.path());
    write_file(dir / "f", "old content");
    write_file_at(fd.get(), "f", "", 0600, "f");
    CHECK(nsr::test::read_file(dir / "f") == "");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"f"});
}

TEST_CASE("write_file_at replaces a symlink at the target instead of following it") {
    Scratch dir;
    const Fd fd = open_dir(dir.path());
    write_file(dir / "elsewhere", "keep");
    REQUIRE(symlink("elsewhere", (dir / "f").c_str()) == 0);
    write_file_at(fd.get(), "f", "new", 0644, "f");
    CHECK(nsr::test::read_file(dir / "elsewhere") == "keep");
    CHECK_FALSE(std::filesystem::is_symlink(dir / "f"));
    CHECK(nsr::test::read_file(dir / "f") == "new");
}

TEST_CASE("write_file_at into a removed directory fails naming the path and leaves nothing") {
    Scratch dir;
    const std::string gone = dir / "gone";
    REQUIRE(mkdir(gone.c_str(), 0755) == 0);
    const Fd fd = open_dir(gone);
    REQUIRE(rmdir(gone.c_str()) == 0);
    std::string what;
    CHECK(errno_of([&] { write_file_at(fd.get(), "f", "data", 0644, "/run/x/f"); }, &what) ==
          ENOENT);
    CHECK(what.find("/run/x/f") != std::string::npos);
    CHECK(names_in(dir.path()).empty());
}

TEST_CASE("write_file_at that cannot rename removes its temp file and keeps the old target") {
    Scratch dir;
    const Fd fd = open_dir(dir.path());
    REQUIRE(mkdir((dir / "f").c_str(), 0755) == 0);
    write_file(dir / "f/inside", "old");
    std::string what;
    CHECK(errno_of([&] { write_file_at(fd.get(), "f", "data", 0644, "shown/f"); }, &what) ==
          EISDIR);
    CHECK(what.find("shown/f") != std::string::npos);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"f"});
    CHECK(nsr::test::read_file(dir / "f/inside") == "old");
}

TEST_CASE("write_file_at that fails mid-write removes its temp file and keeps the old content") {
    Scratch dir;
    write_file(dir / "f", "old content");
    // A file size limit makes write() fail with EFBIG after the temp file
    // exists; the child reports what it saw through its exit code.
    int status = in_child([&] {
        int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        rlimit limit{4096, 4096};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &limit);
        try {
            write_file_at(fd, "f", payload(1 << 20, 1), 0644, "f");
        } catch (const std::system_error& e) {
            return e.code().value() == EFBIG ? 0 : 2;
        } catch (...) {
            return 3;
        }
        return 1;
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"f"});
    CHECK(nsr::test::read_file(dir / "f") == "old content");
}

TEST_CASE("write_file_at killed at any moment leaves the old or the new content") {
    Scratch dir;
    const std::string old_data = payload(3 << 20, 2);
    const std::string new_data = payload((3 << 20) + 12345, 3);
    write_file(dir / "f", old_data);

    // Time one complete write in a child, fork included, so that the kill
    // points spread over the whole of it.
    auto writer = [&] {
        int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        try {
            write_file_at(fd, "f", new_data, 0644, "f");
        } catch (...) {
            return 1;
        }
        return 0;
    };
    auto start = std::chrono::steady_clock::now();
    REQUIRE(in_child(writer) == 0);
    const auto full = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    REQUIRE(nsr::test::read_file(dir / "f") == new_data);

    const unsigned seed = 424242;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<long> delay(0, full.count());
    int saw_old = 0;
    int saw_new = 0;
    for (int round = 0; round < 30; ++round) {
        write_file(dir / "f", old_data);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            _exit(writer());
        }
        const long wait_us = delay(rng);
        usleep(static_cast<useconds_t>(wait_us));
        kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);

        INFO("seed ", seed, ", round ", round, ", kill after ", wait_us, " us");
        const std::string now = nsr::test::read_file(dir / "f");
        REQUIRE((now == old_data || now == new_data));
        (now == old_data ? saw_old : saw_new)++;
        // A killed writer may leave its temp file behind, never anything else.
        for (const auto& name : names_in(dir.path())) {
            if (name != "f") {
                CHECK(is_temp_name(name, "f"));
                std::filesystem::remove(dir / name);
            }
        }
    }
    MESSAGE("killed writer left old content ", saw_old, " times and new content ", saw_new,
            " times");
}

TEST_CASE("read_file reads a whole file, and exactly max_bytes of it is still allowed") {
    Scratch dir;
    const std::string data = payload(200000, 4);
    write_file(dir / "f", data);
    CHECK(read_file(dir / "f", data.size()) == data);
    CHECK(read_file(dir / "f", 1 << 20) == data);
    write_file(dir / "empty", "");
    CHECK(read_file(dir / "empty", 0) == "");
}

TEST_CASE("read_file refuses a file larger than max_bytes with EFBIG, naming it") {
    Scratch dir;
    write_file(dir / "f", "12345");
    std::string what;
    CHECK(errno_of([&] { read_file(dir / "f", 4); }, &what) == EFBIG);
    CHECK(what.find(dir / "f") != std::string::npos);
    CHECK(what.find("more than 4 bytes") != std::string::npos);
}

TEST_CASE("read_file reads /proc files, which report a size of 0, to their end") {
    const std::string text = read_file("/proc/self/mountinfo", 64 << 20);
    CHECK(text.find(" / ") != std::string::npos);
    CHECK(text.back() == '\n');
}

TEST_CASE("read_file refuses directories and other non-regular files before reading") {
    Scratch dir;
    std::string what;
    CHECK(errno_of([&] { read_file(dir.path(), 100); }, &what) == EISDIR);
    CHECK(what.find(dir.path()) != std::string::npos);
    // /dev/zero would never end: it is refused without a single read.
    CHECK(errno_of([&] { read_file("/dev/zero", 1 << 30); }, &what) == EINVAL);
    CHECK(what.find("not a regular file") != std::string::npos);
    // A FIFO without a writer would block the open itself.
    REQUIRE(mkfifo((dir / "fifo").c_str(), 0600) == 0);
    CHECK(errno_of([&] { read_file(dir / "fifo", 100); }) == EINVAL);
    CHECK(errno_of([&] { read_file(dir / "missing", 100); }) == ENOENT);
}

TEST_CASE("read_file_at reads relative to a directory fd and names DISPLAY in errors") {
    Scratch dir;
    write_file(dir / "f", "data");
    const Fd fd = open_dir(dir.path());
    CHECK(read_file_at(fd.get(), "f", 100, "shown") == "data");
    std::string what;
    CHECK(errno_of([&] { read_file_at(fd.get(), "missing", 100, "the shown file"); }, &what) ==
          ENOENT);
    CHECK(what.rfind("cannot read the shown file: ", 0) == 0);
}

TEST_CASE("try_read_file_at gives nothing for a missing file and throws for the rest") {
    Scratch dir;
    write_file(dir / "f", "data");
    const Fd fd = open_dir(dir.path());
    CHECK(try_read_file_at(fd.get(), "f", 100, "f") == "data");
    CHECK_FALSE(try_read_file_at(fd.get(), "missing", 100, "missing").has_value());
    CHECK(errno_of([&] { try_read_file_at(fd.get(), "f/x", 100, "f/x"); }) == ENOTDIR);
    CHECK(errno_of([&] { try_read_file_at(fd.get(), ".", 100, "."); }) == EISDIR);
}

TEST_CASE("file_holds_at tells a file holding exactly the text, read piece by piece") {
    Scratch dir;
    // Larger than one piece read, with the difference near its end.
    const std::string data = payload(100000, 7);
    write_file(dir / "f", data);
    write_file(dir / "empty", "");
    const Fd fd = open_dir(dir.path());
    CHECK(file_holds_at(fd.get(), "f", data));
    std::string other = data;
    other[other.size() - 2] ^= 1;
    CHECK_FALSE(file_holds_at(fd.get(), "f", other));
    CHECK_FALSE(file_holds_at(fd.get(), "f", std::string_view(data).substr(0, data.size() - 1)));
    CHECK_FALSE(file_holds_at(fd.get(), "f", data + "x"));
    CHECK(file_holds_at(fd.get(), "empty", ""));
    CHECK_FALSE(file_holds_at(fd.get(), "empty", "x"));
    // What cannot be told is not taken for the same text.
    CHECK_FALSE(file_holds_at(fd.get(), "missing", ""));
    REQUIRE(mkdir((dir / "d").c_str(), 0700) == 0);
    CHECK_FALSE(file_holds_at(fd.get(), "d", ""));
    REQUIRE(mkfifo((dir / "fifo").c_str(), 0600) == 0);
    CHECK_FALSE(file_holds_at(fd.get(), "fifo", ""));
}

TEST_CASE("read_fd reads a pipe to its end and bounds what it takes") {
    int p[2];
    REQUIRE(pipe(p) == 0);
    Fd reader(p[0]);
    {
        Fd writer(p[1]);
        nsr::base::write_all(writer.get(), "hello", "the pipe");
    }
    CHECK(read_fd(reader.get(), 5, "the pipe") == "hello");

    REQUIRE(pipe(p) == 0);
    Fd reader2(p[0]);
    {
        Fd writer(p[1]);
        nsr::base::write_all(writer.get(), "hello!", "the pipe");
    }
    CHECK(errno_of([&] { read_fd(reader2.get(), 5, "the pipe"); }) == EFBIG);
}
