#pragma once
// The pull plan: what a pull fetches for one (already selected) image manifest — its config,
// its layers with the compression each is read with — and the digest the image is pulled by,
// which `Digest:` prints and RepoDigests record.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/descriptor.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/oci/remote_manifest.hpp"
#include "ferry/oci/schema1.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// One layer blob to fetch.
struct PullLayer {
    Digest digest;           // the blob's (compressed) digest
    int64_t size = -1;       // -1 when the manifest does not say (schema 1)
    std::string media_type;  // as in the manifest; schema 1 layers get Docker's gzip type
    // The compression the media type implies; nullopt for a type docker does not know, whose
    // compression docker's DecompressStream detects from the first bytes (gzip 1f 8b, zstd
    // 28 b5 2f fd, else a plain tar), as the puller must then do too.
    std::optional<Compression> compression;
    // A foreign (Docker) or non-distributable (OCI) layer: docker on Linux fetches it from the
    // registry like any other, and never pushes it; `urls` are where else it may be found.
    bool foreign = false;
    std::vector<std::string> urls;
};

// What to fetch for one image manifest.
struct PullPlan {
    Digest manifest_digest;            // `Digest: sha256:…`: the list's when pulled through one
    std::string manifest_media_type;   // the image manifest's type (schema 1: …v1+json)
    std::optional<Descriptor> config;  // absent for schema 1, whose config comes from schema1
    std::vector<PullLayer> layers;     // bottom first
    std::optional<Schema1Image> schema1;  // the converted schema 1 image, for its config
};

// The plan for an image manifest (schema 2, OCI or schema 1; not an index). pulled_by is the
// digest of what the reference resolved to: the manifest list's when the manifest was selected
// from one, else the manifest's own. ref is the familiar reference, for schema 1's messages.
// Fails on an index (`unsupported manifest format`) and with convert_schema1's errors.
Result<PullPlan> plan_pull(const RemoteManifest& manifest, const Digest& pulled_by,
                           std::string_view ref);

// docker's check of a fetched config against the plan (pullSchema2Layers): fails with `invalid
// rootfs in image configuration` when rootfs is not of type `layers`, and `layers from manifest
// don't match image configuration` when the config lists a different number of diff IDs.
Result<void> check_config_layers(const PullPlan& plan, const ImageConfig& config);

}  // namespace ferry
