// Persistent mount namespaces kept alive by a bind-mounted nsfs file (the
// namespace file of a layout), on top of the toolkit in mntns/.
#pragma once

#include <functional>
#include <string>

#include "mntns/namespace.hpp"

namespace nsr::cmd {

// Makes a new mount namespace (a copy of the caller's, its mounts turned
// slave or private to the caller's) and binds it to PATH, creating PATH and
// its directory. The directory is first made a private bind mount of itself
// where it is not already private, as the kernel refuses the bind where it
// would propagate into the new namespace. The bind follows
// mntns::bind_new's CPU rule; DEBUG, when set, hears about each retry.
// Throws std::system_error; PATH is removed again on failure.
void create_namespace(const std::string& path, mntns::Propagation propagation,
                      const std::function<void(const std::string&)>& debug = {});

// Unmounts the namespace file (lazily) and removes it. False when there was
// nothing at PATH.
bool discard_namespace_file(const std::string& path);

}  // namespace nsr::cmd
