// Making, entering and pinning mount namespaces: the toolkit that the tool
// (ns create, apply, check), the tests and the benchmarks share.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

namespace nsr::mntns {

// How the mounts of a new namespace relate to the caller's.
enum class Propagation {
    Slave,    // mount events of the caller's namespace still arrive, none go back
    Private,  // nothing propagates either way
};

// "slave" / "private"; throws std::invalid_argument for anything else.
Propagation propagation_from_name(const std::string& name);

// Moves the calling process into a new mount namespace, a copy of its
// current one, and makes every mount in it PROPAGATION ("/" recursively), so
// that nothing mounted there reaches the old namespace. Throws
// std::system_error.
void unshare_mounts(Propagation propagation);

// Enters the mount namespace at NS_FILE (a bound nsfs file, or
// /proc/PID/ns/mnt, the kernel's own link; any other symlink is refused
// with ELOOP). The calling process must be single-threaded: the
// kernel refuses setns(CLONE_NEWNS) with EINVAL otherwise. Throws
// std::system_error naming NS_FILE (ENOENT: no such file; EINVAL: not a
// mount namespace).
void enter(const std::string& ns_file);

// The process whose mount namespace NS_FILE names, when it is
// /proc/PID/ns/mnt (a container's, given by --pid).
std::optional<pid_t> process_of(const std::string& ns_file);

// NS_FILE holds a mount namespace (an nsfs file is bound there).
bool is_bound(const std::string& ns_file);

// Makes a new mount namespace (unshare_mounts(PROPAGATION) in a child that
// then runs INSIDE, when given) and binds it at FILE (created 0600 when
// missing), whose mount must not propagate into the new namespace (the
// kernel refuses the loop). The bind follows CpuPin's rule (mntns/cpu_pin.hpp): pinned, retried
// with a fresh namespace on the next CPU after EINVAL, up to 64 attempts;
// DEBUG, when set, hears about each retry. Throws std::system_error, or
// std::runtime_error with what INSIDE threw.
void bind_new(const std::string& file, Propagation propagation,
              const std::function<void()>& inside = {},
              const std::function<void(const std::string&)>& debug = {});

// Runs BODY in a forked child that entered the namespace at NS_FILE, and
// returns what BODY returned; the caller stays where it is. What BODY
// throws, or the child's death, is thrown here as std::runtime_error.
std::string run_in(const std::string& ns_file, const std::function<std::string()>& body);

// The same in a new private namespace (unshare_mounts(Private)): whatever
// BODY mounts goes away with the child.
std::string run_in_private(const std::function<std::string()>& body);

}  // namespace nsr::mntns
