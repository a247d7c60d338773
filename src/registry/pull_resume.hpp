#pragma once
// What a pull keeps for the next one when it fails or is killed: in its resumable staging
// directory (image::Store::stage_resumable, keyed by the manifest digest), each layer it finished
// and verified stays unpacked beside a record, `<dir>.done`, written only once every digest of
// the layer was checked. The next pull of the same manifest takes those layers as they are and
// fetches the others; a layer without a record (cut off half-way) is removed and fetched again.
// A record names the boot it was written in: page cache lost to a power failure could have left
// a layer half-written under a record written without fsync, so a record of another boot counts
// for nothing.

#include <optional>
#include <string>

#include "ferry/image/layer_ingest.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// The directory a pull unpacks the blob `sha256:<hex>` into: `b-<hex>`.
std::string resume_dir(const std::string& blob_digest);

// The finished layer of blob_digest that an earlier pull left under staging_path, or nullopt;
// anything of that blob without a valid record is removed first.
std::optional<image::StagedLayer> take_finished_layer(const std::string& staging_path,
                                                      const std::string& blob_digest);

// Records layer (unpacked from blob_digest, every digest checked) as finished.
Result<void> record_finished_layer(const std::string& staging_path, const image::StagedLayer& layer,
                                   const std::string& blob_digest);

// Removes the layer directory of blob_digest if it has no record (a fetch that was cut off).
void drop_unfinished_layer(const std::string& staging_path, const std::string& blob_digest);

}  // namespace ferry::registry
