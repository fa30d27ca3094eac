// tuck_reader: a process inside an application's mount namespace that
// keeps reading while nsreconcile changes the namespace, and counts every
// moment it saw something a reader must never see.
//
// usage: tuck_reader [--ns FILE] --dir DIR --file NAME --accept TEXT...
//                    [--stop-file PATH]
//
// Each iteration opens and reads DIR/NAME and lists DIR. A read fails when
// the open or read fails (ENOENT is counted apart from other errors) or the
// content is none of the accepted TEXTs; a listing fails when DIR cannot be
// opened or lists nothing. "ready" is printed once the first iteration is
// done, and "seen ENTRIES ACCEPTED" whenever an iteration's observation
// differs from the one before, so that a test can wait until the reader has
// seen each step: ENTRIES is the number of entries of DIR (or -errno) and
// ACCEPTED the index of the accepted TEXT the file held (or -1). On SIGTERM
// or SIGINT, or once
// the stop file exists, the loop ends and one line of counts is printed:
//   iterations=N enoent=N read_errno=N unexpected=N empty_listing=N
//   list_errno=N changes=N
// The first failure is described on stderr. Exit 0, or 2 on bad arguments
// or when the namespace cannot be entered.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "mntns/namespace.hpp"
#include "tests/tuck/reader_counts.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) {
    g_stop = 1;
}

struct Args {
    std::string ns;
    std::string dir;
    std::string file;
    std::vector<std::string> accept;
    std::string stop_file;
};

bool parse(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        const std::string opt = argv[i];
        if (i + 1 >= argc)
            return false;
        const std::string val = argv[++i];
        if (opt == "--ns")
            a.ns = val;
        else if (opt == "--dir")
            a.dir = val;
        else if (opt == "--file")
            a.file = val;
        else if (opt == "--accept")
            a.accept.push_back(val);
        else if (opt == "--stop-file")
            a.stop_file = val;
        else
            return false;
    }
    return !a.dir.empty() && !a.file.empty() && !a.accept.empty();
}

// The file's content, or -errno.
int read_file(const std::string& path, std::string& out) {
    out.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<size_t>(n));
    int err = n < 0 ? errno : 0;
    ::close(fd);
    return -err;
}

// The number of entries of DIR (without . and ..), or -errno.
long count_entries(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        return -errno;
    long n = 0;
    while (struct dirent* de = ::readdir(d)) {
        if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0)
            ++n;
    }
    ::closedir(d);
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    if (!parse(argc, argv, a)) {
        std::fprintf(stderr,
                     "usage: tuck_reader [--ns FILE] --dir DIR --file NAME --accept TEXT... "
                     "[--stop-file PATH]\n");
        return 2;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    // The stop file lives outside the namespace: keep its directory open.
    int stop_dir = -1;
    std::string stop_name;
    if (!a.stop_file.empty()) {
        const size_t slash = a.stop_file.rfind('/');
        const std::string parent = slash == 0 ? "/" : a.stop_file.substr(0, slash);
        stop_name = a.stop_file.substr(slash + 1);
        stop_dir = ::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (stop_dir < 0) {
            std::fprintf(stderr, "tuck_reader: cannot open %s: %s\n", parent.c_str(),
                         std::strerror(errno));
            return 2;
        }
    }
    if (!a.ns.empty()) {
        try {
            nsr::mntns::enter(a.ns);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "tuck_reader: %s\n", e.what());
            return 2;
        }
    }
    const std::string path = a.dir + "/" + a.file;
    nsr::tuck::test::ReaderCounts c;
    std::string first_failure;
    std::string content, last_content;
    long last_entries = -1;
    auto fail = [&](long& counter, const std::string& what) {
        ++counter;
        if (first_failure.empty())
            first_failure = "iteration " + std::to_string(c.iterations) + ": " + what;
    };
    while (!g_stop) {
        if (stop_dir >= 0 && ::faccessat(stop_dir, stop_name.c_str(), F_OK, 0) == 0)
            break;
        int rc = read_file(path, content);
        int accepted = -1;
        if (rc == -ENOENT) {
            fail(c.enoent, path + ": ENOENT");
        } else if (rc < 0) {
            fail(c.read_errno, path + ": " + std::strerror(-rc));
        } else {
            for (size_t i = 0; i < a.accept.size() && accepted < 0; ++i) {
                if (content == a.accept[i])
                    accepted = static_cast<int>(i);
            }
            if (accepted < 0)
                fail(c.unexpected, path + ": unexpected content \"" + content + "\"");
        }
        const long entries = count_entries(a.dir);
        if (entries < 0)
            fail(c.list_errno, a.dir + ": " + std::strerror(static_cast<int>(-entries)));
        else if (entries == 0)
            fail(c.empty_listing, a.dir + ": empty listing");
        if (c.iterations > 0 && (content != last_content || entries != last_entries)) {
            ++c.changes;
            std::printf("seen %ld %d\n", entries, accepted);
            std::fflush(stdout);
        }
        last_content = content;
        last_entries = entries;
        if (++c.iterations == 1) {
            std::printf("ready\n");
            std::fflush(stdout);
        }
    }
    std::printf("%s\n", c.line().c_str());
    if (!first_failure.empty())
        std::fprintf(stderr, "tuck_reader: first failure at %s\n", first_failure.c_str());
    return 0;
}
