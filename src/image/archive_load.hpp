#pragma once
// Loading image archives (`ferry load`): docker-archive (docker 20–24 and ≥ 25) and OCI
// archives, the whole archive plain, gzip or zstd, layers plain, gzip or zstd.

#include <string>
#include <utility>
#include <vector>

#include "ferry/image/store.hpp"
#include "ferry/util/progress.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

struct LoadedImage {
    std::string id;                  // sha256:<config hex>
    std::vector<std::string> names;  // full references given to it
};

struct LoadReport {
    std::vector<LoadedImage> images;
    // Names that moved from an older image: (name, old image ID).
    std::vector<std::pair<std::string, std::string>> renamed;
};

// Streams the archive from fd into the store in one pass: every digest is verified, each layer
// is unpacked once (layers the store already has are skipped at commit), and the images and
// names appear atomically at the end, or not at all. progress (may be null) shows bytes read;
// total is the input size when known (0 otherwise).
Result<LoadReport> load_archive(Store& store, int fd, Progress* progress, uint64_t total);

}  // namespace ferry::image
