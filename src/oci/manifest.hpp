#pragma once
// Image manifests: OCI image manifest v1 and Docker image manifest v2 schema 2, which share one
// shape (config descriptor + layer descriptors) and differ in media types and field order.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/descriptor.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// A parsed image manifest (OCI or Docker schema 2).
struct ImageManifest {
    int schema_version = 2;
    std::string media_type;     // OCI or Docker manifest type; may be empty in OCI (umoci)
    std::string artifact_type;  // OCI 1.1 artifacts
    Descriptor config;
    std::vector<Descriptor> layers;
    std::optional<Descriptor> subject;
    std::map<std::string, std::string> annotations;

    // Docker style for Docker schema 2 manifests, else OCI.
    JsonStyle style() const;

    friend bool operator==(const ImageManifest&, const ImageManifest&) = default;
};

// What a manifest document is.
enum class ManifestKind { image_manifest, index };

// Parses and validates an image manifest. Errors start with `manifest: `: `manifest: field
// `layers[2].digest`: invalid digest `sha256:zz``, `manifest: field `schemaVersion`: unsupported
// schema version 1`, `manifest: field `mediaType`: `x` is not an image manifest`.
Result<ImageManifest> parse_image_manifest(std::string_view text);
// As parse_image_manifest, from an already parsed document (after manifest_kind).
Result<ImageManifest> image_manifest_from_json(const Json& doc);

// Tells an image manifest from an index by its mediaType, or by its shape when mediaType is
// absent (`manifests` → index, `config` → image manifest). Fails with `manifest: unsupported
// media type `x`` (Docker schema 1 included) or `manifest: neither an image manifest nor an
// index`.
Result<ManifestKind> manifest_kind(const Json& doc);

// The manifest as JSON: schemaVersion, mediaType, [artifactType,] config, layers, [subject,
// annotations], descriptors in the manifest's style.
Json to_json(const ImageManifest& manifest);
// The manifest's bytes as docker or an OCI tool writes them (compact, Go escaping).
std::string serialize(const ImageManifest& manifest);

}  // namespace ferry
