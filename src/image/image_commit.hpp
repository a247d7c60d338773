#pragma once
// The last step of every import that brings whole images into the store (`ferry load`, an ssh
// move): install the staged layers the store lacks, write the configs and stored manifests, and
// record the images and their names in images.json in one atomic rewrite.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ferry/image/archive_layout.hpp"
#include "ferry/image/layer_ingest.hpp"
#include "ferry/image/store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// One image whose digests have all been verified, ready to be committed.
struct IngestedImage {
    std::string id;      // sha256:<hex of config>
    std::string config;  // the config bytes
    ConfigFacts facts;   // read from config
    // One per diff ID, bottom to top: the staged layer, or nullopt where the store already has
    // that chain (the caller pins the layers, Store::pin_layers, so it stays).
    std::vector<std::optional<StagedLayer>> layers;
    std::vector<std::string> names;  // full references to give it
};

// What a commit did.
struct CommittedImage {
    std::string id;                  // sha256:<config hex>
    std::vector<std::string> names;  // full references given to it
    std::string manifest;            // digest of the stored manifest
    uint64_t manifest_size = 0;      // its size in bytes
};

struct CommitReport {
    std::vector<CommittedImage> images;
    // Names that moved from an older image: (name, old image ID).
    std::vector<std::pair<std::string, std::string>> renamed;
};

// A last change to images.json, made in the same rewrite (a pull's repository digest).
using IndexEdit = std::function<void(ImageCatalog&)>;

// Installs what the store lacks (renaming staged layers out of staging, each recorded in its
// intent file first) and records the images with their names. Fails, leaving only what the
// staging's intent lets the next command collect, with the store's error, or with `layer
// sha256:…: missing from the store` when a layer given as present is not there.
Result<CommitReport> commit_images(Store& store, Staging& staging,
                                   std::vector<IngestedImage>& images, const IndexEdit& also = {});

}  // namespace ferry::image
