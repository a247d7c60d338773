#pragma once
// `ferry export`: a container's whole file system (its image's layers with its own changes
// applied) as one tar, as `docker export` writes it.

#include "ferry/image/store.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Writes the merged tree of record's container to out_fd (a file, pipe or socket), reading the
// layers and the upper directory directly (nothing is mounted; volumes are not included, as with
// docker). The image's layers are pinned against garbage collection meanwhile. Fails with
// `read `etc/x`: strerror` or the write error.
Result<void> export_container(const ContainerStore& containers, const image::Store& images,
                              const ContainerRecord& record, int out_fd);

}  // namespace ferry::runtime
