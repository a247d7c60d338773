#pragma once
// `ferry system check`, the image store's half: the index, the images' layers and blobs, what
// nothing references, and what dead processes left in tmp/. Each problem is one Finding; with
// Repair::yes it is fixed where it can be, and the Finding says how.
//
// The caller holds the store still while it looks (CheckLocks: layers.lock and images.lock,
// both exclusive, taken in garbage collection's order), so every finding is real: no load is
// between installing a layer and naming it, no container is being created, no rmi is running.

#include <optional>
#include <string>
#include <vector>

#include "ferry/core/store_health.hpp"
#include "ferry/image/store.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

enum class Repair { no, yes };

// One problem found, and what was done about it.
struct Finding {
    std::string problem;  // `layer 3f4a0c1d2e3f: used by no image or container (12.3MB)`
    std::string repair;   // `removed`; empty when not repaired
};

// The store held still for a check.
struct CheckLocks {
    FileLock layers;
    FileLock images;
};

// Takes layers.lock, then images.lock, exclusive (waiting for running loads and creations).
Result<CheckLocks> lock_for_check(const Store& store);

// The index: a missing, damaged or unknown-version images.json is rebuilt with repair from the
// manifests and configs in blobs/ whose layers are all present (names from images.json.bak,
// else the images come back untagged; the old file is kept as images.json.damaged-<time>);
// images whose manifest, config or layers are missing are dropped from it. Returns the index
// as it stands afterwards, none when it cannot be read (and was not rebuilt).
Result<std::optional<ImageCatalog>> check_index(Store& store, const CheckLocks& locks,
                                                Repair repair, std::vector<Finding>& out);

// Layers and blobs that neither index nor containers reference (removed with repair), and layers
// whose layer.json or diff/ is damaged (reported: they cannot be repaired here).
Result<void> check_unreferenced(Store& store, const ImageCatalog& index,
                                const ContainerUses& containers, Repair repair,
                                std::vector<Finding>& out);

// The blob cache (blob_cache.hpp): a file that cannot be read is reported, and with repair
// rebuilt empty (it is only a cache).
Result<void> check_blob_cache(Store& store, Repair repair, std::vector<Finding>& out);

// Entries of tmp/ whose owner died (with the files listed in their `partial`), removed with
// repair.
Result<void> check_tmp(Store& store, Repair repair, std::vector<Finding>& out);

}  // namespace ferry::image
