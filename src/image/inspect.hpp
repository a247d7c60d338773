#pragma once
// The docker-shaped description of an image that `ferry image inspect` prints.

#include "ferry/image/store.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// Id, RepoTags, RepoDigests, Created, Config, Architecture, Os, Size, GraphDriver, RootFS,
// Metadata … in docker's order, from the record and its stored config.
Result<Json> inspect_image(const Store& store, const ImageRecord& image);

}  // namespace ferry::image
