// The tuck_reader helper (tests/tuck/reader.cpp) as a child process: started
// inside an application namespace, stopped with SIGTERM, its counts parsed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace nsr::tuck::test {

struct ReaderCounts {
    long iterations = 0;
    long enoent = 0;
    long read_errno = 0;
    long unexpected = 0;
    long empty_listing = 0;
    long list_errno = 0;
    long changes = 0;

    long failures() const { return enoent + read_errno + unexpected + empty_listing + list_errno; }
};

class Reader {
  public:
    // Starts the reader in the namespace at NS_FILE, reading DIR/FILE and
    // listing DIR, and returns once it has done its first iteration. Throws
    // std::runtime_error when it does not get there.
    Reader(const std::string& ns_file, const std::string& dir, const std::string& file,
           const std::vector<std::string>& accept);
    // Kills the reader if it is still running.
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    // Forgets the reader's latest observation, then waits up to TIMEOUT_MS
    // until it reports seeing ENTRIES entries in DIR and the accepted text
    // number ACCEPTED in the file (see reader.cpp); false when it does not.
    void forget_seen();
    bool wait_until_seen(long entries, int accepted, int timeout_ms);

    // Stops the reader and returns what it counted.
    ReaderCounts stop();

  private:
    // Takes in the reader's lines; waits up to TIMEOUT_MS for the first.
    void take_lines(int timeout_ms);

    pid_t pid_ = -1;
    int out_ = -1;
    std::string pending_;
    std::string seen_;  // the latest "seen ..." line
    std::string last_;  // the latest other line
};

}  // namespace nsr::tuck::test
