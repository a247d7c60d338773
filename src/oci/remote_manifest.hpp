#pragma once
// A manifest as a registry serves it: the bytes of `GET /v2/<name>/manifests/<ref>` and the
// Content-Type that came with them, classified (Docker schema 2, Docker manifest list, OCI
// manifest, OCI index, Docker schema 1), parsed, and checked as docker's puller checks them.
// The caller refuses a body over k_max_manifest_bytes before it gets here.

#include <string>
#include <string_view>
#include <variant>

#include "ferry/oci/digest.hpp"
#include "ferry/oci/index.hpp"
#include "ferry/oci/manifest.hpp"
#include "ferry/oci/schema1.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// The largest manifest ferry accepts from a registry (4 MiB, as containerd); the caller stops
// reading at k_max_manifest_bytes + 1 bytes (or refuses a larger Content-Length) and fails with
// check_manifest_size.
inline constexpr size_t k_max_manifest_bytes = 4u << 20;

// Fails with containerd's words, `rejecting 4194305 byte manifest for docker.io/library/x:1`,
// when size is over k_max_manifest_bytes; ref is the reference as the user wrote it.
Result<void> check_manifest_size(uint64_t size, std::string_view ref);

// The Accept header of a manifest request: every type ferry reads, as docker sends them.
std::string manifest_accept_header();

// What a fetched manifest is.
enum class RemoteKind { docker_schema2, docker_manifest_list, oci_manifest, oci_index, schema1 };

// A fetched manifest, parsed.
struct RemoteManifest {
    RemoteKind kind = RemoteKind::docker_schema2;
    std::string media_type;  // the type it was read as (the header's or the detected one)
    Digest digest;           // sha256 of the bytes; of the JWS payload for schema 1
    std::variant<ImageManifest, ImageIndex, Schema1Manifest> document;

    // Whether this is a manifest list or an OCI index.
    bool is_index() const;
    // The parsed document of each kind; valid only for that kind.
    const ImageManifest& manifest() const { return std::get<ImageManifest>(document); }
    const ImageIndex& index() const { return std::get<ImageIndex>(document); }
    const Schema1Manifest& schema1() const { return std::get<Schema1Manifest>(document); }
};

// The media type the manifest is read as. A Content-Type naming a manifest type decides
// (parameters after `;` ignored, `…v1+prettyjws` is schema 1); a generic or absent one
// (application/json, text/plain, application/octet-stream, anything else) gives way to the
// document, as docker's detectManifestBlobMediaType: its `mediaType`, else its fields (fsLayers
// or schemaVersion 1 → schema 1, config or layers → OCI manifest, else OCI index). Fails as
// docker: `media-type: "…" should not have "manifests" or "fsLayers"`, `media-type: cannot
// determine`, and `unsupported manifest format` for any other type.
Result<std::string> manifest_media_type(std::string_view bytes, std::string_view content_type);

// Classifies, parses and checks a fetched manifest. Besides the parsers' errors, docker's:
// `mediaType in manifest should be '<schema2>' not '<x>'` (a schema 2 document must say so),
// `if present, mediaType in manifest should be '<oci>' not '<x>'`, the same for lists (`mediaType
// in manifest list should be …`) and indexes (`if present, mediaType in image index should be
// …`), and for a schema 2 manifest whose config is not an image's, `Encountered remote
// "<type>"(plugin|unknown) when fetching`.
Result<RemoteManifest> parse_remote_manifest(std::string_view bytes, std::string_view content_type);

// Fails with `manifest verification failed for digest <d>` unless the manifest is the one the
// reference asked for by digest (docker's check of a pull by digest; schema 1 says `image
// verification failed for digest <d>`).
Result<void> verify_manifest_digest(const RemoteManifest& manifest, const Digest& wanted);

}  // namespace ferry
