// A forked child that reports back through a pipe, for tests that must
// watch a process from outside: signal it, see how it ended.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace nsr::cmd::test {

class Child {
  public:
    // Forks and runs BODY in the child with the pipe's write end; the child
    // exits 0 when BODY returns, 1 when it throws (the message is sent).
    explicit Child(const std::function<void(int report_fd)>& body);
    ~Child();  // kills and reaps the child if it is still there
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }

    // Reads what the child sent until there are at least N bytes, the pipe
    // is closed or ten seconds have passed.
    std::string read(size_t n);

    // Waits for the child to end; returns the raw wait status.
    int wait();

  private:
    pid_t pid_ = -1;
    int fd_ = -1;
};

}  // namespace nsr::cmd::test
