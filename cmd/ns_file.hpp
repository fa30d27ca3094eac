// Persistent mount namespaces kept alive by a bind-mounted nsfs file.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace nsr::cmd {

enum class Propagation { Slave, Private };

Propagation propagation_from_name(const std::string& name);  // "slave" / "private"; throws

// PATH is a bind mount of a mount namespace (an nsfs file).
bool namespace_alive(const std::string& path);

// Makes a new mount namespace (a copy of the caller's, its mounts turned
// slave or private to the caller's) and binds it to PATH, creating PATH and
// its directory. The directory is first made a private bind mount of itself
// where it is not already private, as the kernel refuses the bind where it
// would propagate into the new namespace. The bind is made pinned to one CPU
// and retried with a fresh namespace on EINVAL, on each CPU in turn
// (DESIGN.md, kernel facts).
// DEBUG, when set, hears about each retry. Throws std::system_error.
void create_namespace(const std::string& path, Propagation propagation,
                      const std::function<void(const std::string&)>& debug = {});

// Unmounts the namespace file (lazily) and removes it. False when there was
// nothing at PATH.
bool discard_namespace_file(const std::string& path);

// Runs FN in a forked child and returns what FN returned, so that what FN
// does to the child (entering or making a namespace) never reaches the
// caller. An exception in FN, or a child that dies, is rethrown here as
// std::runtime_error with its message; WHAT names the child in that message.
std::string in_child(const std::string& what, const std::function<std::string()>& fn);

// in_child with FN run after entering the namespace at NS_FILE.
std::string in_namespace(const std::string& ns_file, const std::function<std::string()>& fn);

// The process whose mount namespace NS_FILE names when it is
// /proc/PID/ns/mnt (how --pid PID is kept): a container's, whose bind
// sources and overlay layers are the host's.
std::optional<long> container_pid(const std::string& ns_file);

// Enters the namespace at NS_FILE (the calling process must be
// single-threaded). Throws std::system_error naming NS_FILE.
void enter_namespace(const std::string& ns_file);

}  // namespace nsr::cmd
