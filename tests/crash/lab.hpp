// What the crash tests compare: a sandbox's application namespace reduced
// to what an apply decides (tests/integration/sandbox.hpp), and the
// system calls of one apply.
//
// A namespace is compared as the conformance harness compares mount
// tables: per mount its mount point, its parent's mount point, its stacking
// depth at that mount point, fs type, source, root, a label for its device
// (the smallest mount point showing that device in the pristine table, or
// "new@" the smallest one showing it in this table: device numbers are
// recycled), its per-mount options, a tmpfs's mode/uid/gid and its
// propagation kind; only mounts at or below the sandbox's root, which is
// written "@". Then every file, directory and symlink the application sees
// below the root (type, mode, owner, symlink target), but for the state
// directory and the namespace file.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/sandbox.hpp"

namespace nsr::crash {

using integration::Sandbox;

struct Snapshot {
    std::vector<std::string> mounts;  // sorted by mount point, then depth
    std::vector<std::string> tree;    // sorted by path
    bool operator==(const Snapshot&) const = default;
};

// Device labels of the pristine table: device -> smallest mount point.
using Labels = std::map<std::string, std::string>;

Labels pristine_labels(const Sandbox& sb);
// Throws std::runtime_error when the namespace cannot be read.
Snapshot snapshot(const Sandbox& sb, const Labels& pristine);
// The lines of A and B that differ, for a failure message.
std::string diff(const Snapshot& a, const Snapshot& b);

// TEXT with every "@" replaced by the sandbox's root.
std::string at_root(const Sandbox& sb, const std::string& text);

// A point to kill the tool at: the K-th call (from 1) of a system call,
// killed before the call is made.
struct KillPoint {
    std::string syscall;
    unsigned k;
    // Whether the call changes something outside the process (a mount
    // call, a file or directory made, removed or written, a rename), or is
    // the first call after one that does. A kill at any other call leaves
    // what a kill at one of these leaves (the same changes made before
    // it), so the CI subset kills at these only.
    bool distinct;
    // Whether strace can inject there: strace 6.1 has no name for
    // statmount and listmount (it lists them "syscall_0x1c9") and refuses
    // to inject into them. Both only read, so a kill there leaves what a
    // kill at the next call leaves.
    bool injectable;
};

// Every (system call, occurrence) of one `strace -o` listing, in the order
// made. Throws std::runtime_error on a line it cannot read.
std::vector<KillPoint> kill_points(const std::string& strace_listing);

}  // namespace nsr::crash
