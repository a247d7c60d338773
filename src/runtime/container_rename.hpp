#pragma once
// `ferry rename`: a new name for a container, running or not, with docker's daemon checks.

#include <string>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Renames record to new_name (a leading '/' is ignored, as docker's) and records docker's
// `rename` event. The hostname, the ID and a running container's processes are untouched.
// Fails (exit status 1, as docker's client) with `Renaming a container with the same name as
// its current name`, `Error when allocating new name: Invalid container name (/x), only
// [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, or `Error when allocating new name: Conflict. The
// container name "/x" is already in use by container "<id>". You have to remove (or rename)
// that container to be able to reuse that name.`
Result<void> rename_container(const ContainerStore& store, const ContainerRecord& record,
                              std::string new_name);

}  // namespace ferry::runtime
