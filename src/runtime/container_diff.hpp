#pragma once
// `ferry diff`: what a container changed in its file system, as docker lists it (A added,
// C changed, D deleted), and the size of those changes (`ps -s`, docker's SizeRw).

#include <cstdint>
#include <string>
#include <vector>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct Change {
    char kind = 'C';   // 'A', 'C' or 'D'
    std::string path;  // absolute in the container
};

// The changes of the tree at layers[0] (a container's upper directory) over layers[1..] (its
// image's layers, top first), by docker's rules (archive.ChangesDirs): a name only in the new
// tree is added, with everything below it; one in both is changed when its mode, owner, device
// or (not for directories) its size or mtime differ, or its file capabilities; a directory with
// changes below it is changed too, listed before them; names whiteouts or opaque directories
// hid are deleted. Within a directory, names come in byte order, deletions after the rest
// (docker's order there follows a Go map, so it varies from run to run). /proc, /sys and /dev
// made as mount points for an image without them are not changes: docker's init layer has them.
Result<std::vector<Change>> tree_changes(const std::vector<std::string>& layers);

// tree_changes of a container: its upper directory over its image's layers.
Result<std::vector<Change>> container_changes(const ContainerStore& store,
                                              const ContainerRecord& record);

// The bytes of the added and changed files that are not directories (hard links once), looked
// up in layers[0]: docker's ChangesSize, the SIZE of `ps -s`.
uint64_t changes_size(const std::string& upper_dir, const std::vector<Change>& changes);

}  // namespace ferry::runtime
