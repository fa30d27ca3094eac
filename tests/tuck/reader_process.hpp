// The tuck_reader helper (tests/tuck/reader.cpp) as a child process: started
// inside an application namespace, stopped with SIGTERM, its counts parsed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/tuck/reader_counts.hpp"

namespace nsr::tuck::test {

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

    std::unique_ptr<nsr::test::Process> process_;
    int out_ = -1;
    std::string pending_;
    std::string seen_;  // the latest "seen ..." line
    std::string last_;  // the latest other line
};

}  // namespace nsr::tuck::test
