#pragma once
// `ferry container prune`: every container that is not running (created, exited, dead) removed
// through ContainerStore::remove, and the space its changes took.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct PruneReport {
    std::vector<std::string> deleted;  // full IDs, oldest container first
    uint64_t reclaimed = 0;            // bytes of their upper directories (docker's SizeRw)
    std::set<std::string> image_ids;   // their images (whose layers may go with them)
};

// Removes the stopped containers (those selected, when selected is given: `system prune
// --filter`). A container that cannot be removed ends the prune with its error (those removed
// before stay removed).
Result<PruneReport> prune_containers(
    const ContainerStore& store,
    const std::function<bool(const ContainerRecord&)>& selected = {});

// The apparent size of a tree as docker's SizeRw counts it: st_size of everything that is not a
// directory, each inode once; 0 for a missing tree.
uint64_t tree_size(const std::string& path);

}  // namespace ferry::runtime
