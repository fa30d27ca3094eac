// A forked child that runs a function and hands its result back to the
// parent: the one way the tool, its tests and its benchmarks run code in
// another mount namespace (or with other privileges) and learn the outcome.
//
// The result travels through a pipe as one frame: '+' and the text BODY
// returned, or '-' and the message of what BODY threw; the child then
// closes the pipe. No frame means the child died first.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "base/fd.hpp"
#include "base/no_copy.hpp"

namespace nsr::mntns {

class Child : base::NoCopy {
  public:
    enum class Hold {
        No,             // the child exits once it has sent its result
        UntilReleased,  // it stays (its namespace alive) until release()
    };

    // Forks; the child runs BODY. WHAT names the child in messages ("the
    // child that entered /run/x.mnt"). Throws std::system_error when it
    // cannot fork. The child leaves with _exit: exit handlers belong to the
    // parent.
    explicit Child(const std::function<std::string()>& body, Hold hold = Hold::No,
                   std::string what = "the child");
    // Releases the child, kills it if it is still running, and reaps it.
    ~Child();

    pid_t pid() const { return pid_; }

    // What BODY returned, once the child has sent it. Throws
    // std::runtime_error with the message of what BODY threw, or saying
    // that the child died (with its wait status) before it sent anything.
    std::string result();

    // Lets a held child exit (nothing for one that does not wait).
    void release();

    // Called inside a child's BODY: sends TEXT as the result right away,
    // so that BODY can go on (hold a frozen cgroup, wait for a signal)
    // while the parent acts on it. What BODY returns or throws later is not
    // sent. Nothing happens outside a child's BODY.
    static void send_result(const std::string& text);

    // Releases the child and waits for it to end; the raw wait status.
    int wait();

  private:
    pid_t pid_ = -1;
    std::string what_;
    base::Fd from_child_;
    base::Fd release_;
};

}  // namespace nsr::mntns
