#pragma once
// ArchivePlan: what an image archive says it holds, read from its metadata members alone —
// docker-archive's manifest.json (docker 20–24, and docker ≥ 25 whose paths point into an OCI
// layout), or an OCI image layout's index.json. The loader then checks every blob against it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::image {

struct PlannedLayer {
    std::string member;                 // archive member holding the blob
    std::optional<std::string> digest;  // expected blob digest, when the archive states one
    std::optional<uint64_t> size;       // expected blob size, when stated
};

struct PlannedImage {
    std::string config_member;
    std::optional<std::string> config_digest;
    std::optional<uint64_t> config_size;
    std::vector<PlannedLayer> layers;
    std::vector<std::string> names;     // full references (docker.io/library/x:tag)
};

// Returns a metadata member's bytes, or fails (`missing blob `x``) when absent or not metadata.
using MetaLookup = std::function<Result<std::string_view>(const std::string& member)>;
// Whether the archive has a member of that name.
using HasMember = std::function<bool(const std::string& member)>;

// Reads the archive's layout. Fails with `not an image archive (no manifest.json or index.json)`
// or a precise message about the malformed document.
Result<std::vector<PlannedImage>> plan_archive(const MetaLookup& meta, const HasMember& has);

// The member name of an OCI layout blob: blobs/sha256/<hex>.
std::string blob_member(std::string_view digest);

}  // namespace ferry::image

namespace ferry::image {

// What the loader needs from an image config.
struct ConfigFacts {
    std::vector<std::string> diff_ids;  // rootfs.diff_ids
    int64_t created_ns = 0;             // `created`, 0 when absent
};

// Extracts rootfs.diff_ids and created from config JSON, failing with a precise message
// (`config: field `rootfs.diff_ids`: …`).
Result<ConfigFacts> read_config_facts(std::string_view config_json);

// A layer as the store keeps it: uncompressed, identified by its diff ID.
struct StoredLayer {
    std::string diff_id;
    uint64_t tar_size;
};

// The Docker schema2 manifest ferry stores for an image: its config and its uncompressed layers.
std::string make_stored_manifest(const std::string& config_digest, uint64_t config_size,
                                 const std::vector<StoredLayer>& layers);

}  // namespace ferry::image
