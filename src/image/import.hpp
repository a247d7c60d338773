#pragma once
// `ferry import`: a root file system tarball becomes a one-layer image, as `docker import`.

#include <string>
#include <vector>

#include "ferry/image/store.hpp"
#include "ferry/util/progress.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

struct ImportRequest {
    std::vector<std::string> changes;  // --change instructions
    std::string message;               // -m; default "Imported from -"
    std::string reference;             // full reference to name the image, or empty
    std::string platform;              // --platform os/arch[/variant]; empty for the host's
};

// Streams the tarball (plain, gzip or zstd) from fd into a new layer and image. Returns the
// image ID. Nothing is visible in the store unless every step succeeds.
Result<std::string> import_rootfs(Store& store, int fd, const ImportRequest& request,
                                  Progress* progress, uint64_t total);

// The host's platform in OCI terms ("amd64", "arm64", ...).
std::string host_architecture();

}  // namespace ferry::image
