#pragma once
// `ferry commit`: a container's changes become a new image (image/commit.hpp does the layer and
// the config). This side knows the container: its upper directory, how its overlay marks opaque
// directories, its user namespace's id mappings, and its cgroup, frozen while the diff is read
// so that the layer is a consistent snapshot (docker's default --pause=true).

#include <string>
#include <vector>

#include "ferry/image/commit.hpp"
#include "ferry/image/store.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct CommitOptions {
    std::vector<std::string> changes;  // -c instructions
    std::string message;               // -m
    std::string author;                // -a
    std::string reference;             // full reference to name the image, or empty
    bool pause = true;                 // --pause
};

// Commits record's container. A running container with a cgroup of its own is frozen for the
// duration when options.pause, and thawed whatever happens. Fails with `pause container:
// <cgroup error>`, or the errors of image::commit_image.
Result<image::CommitResult> commit_container(const ContainerStore& containers, image::Store& images,
                                             const ContainerRecord& record,
                                             const CommitOptions& options);

// The diff options of a container: opaque xattr flavour and owner maps, from its runtime spec
// (a user namespace means an overlay mounted with userxattr and ids to map back). The owner maps
// read the ids this process sees (stat in the store's user namespace shows its ids, not the
// host's) to the container's.
image::DiffOptions container_diff_options(const oci::RuntimeSpec& spec);

}  // namespace ferry::runtime
