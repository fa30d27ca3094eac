// An owned file descriptor: closed when it goes out of scope, moved but
// never copied. The one fd type of every layer.
#pragma once

#include <string>

namespace nsr::base {

class Fd {
  public:
    Fd() = default;
    // Takes ownership of FD (-1: holds nothing).
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Gives up ownership, so that the caller can close() the fd itself and
    // check the result (close reports delayed write errors).
    int release();
    // Closes what it holds, then takes FD.
    void reset(int fd = -1);
    // "/proc/self/fd/N": names exactly the object the fd holds, for the
    // calls that only take paths (umount2, mount).
    std::string proc_path() const;

  private:
    int fd_ = -1;
};

}  // namespace nsr::base
