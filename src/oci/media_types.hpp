#pragma once
// Media types of the OCI image spec and of Docker's image manifest v2 schema 2, annotation keys
// ferry reads and writes, and the compression each layer media type implies.

#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry {

// OCI image spec v1.
inline constexpr std::string_view k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view k_oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view k_oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view k_oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view k_oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view k_oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view k_oci_layer_nondistributable_tar =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view k_oci_layer_nondistributable_gzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view k_oci_layer_nondistributable_zstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
inline constexpr std::string_view k_oci_empty = "application/vnd.oci.empty.v1+json";

// Docker image manifest v2, schema 2, and schema 1 (read and converted: schema1.hpp).
inline constexpr std::string_view k_docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view k_docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view k_docker_config =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view k_docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view k_docker_layer_tar =
    "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view k_docker_foreign_layer_gzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view k_docker_schema1_manifest =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view k_docker_schema1_signed_manifest =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
// A Docker plugin's config: a manifest with it is a plugin, which `pull` refuses.
inline constexpr std::string_view k_docker_plugin_config = "application/vnd.docker.plugin.v1+json";

// Annotations.
inline constexpr std::string_view k_annotation_ref_name = "org.opencontainers.image.ref.name";
inline constexpr std::string_view k_annotation_created = "org.opencontainers.image.created";
inline constexpr std::string_view k_annotation_containerd_image_name = "io.containerd.image.name";

// How a layer blob is compressed.
enum class Compression { none, gzip, zstd };

// The name of c as in media types and messages: "none", "gzip", "zstd".
std::string_view compression_name(Compression c);

// The compression a layer media type implies. Fails with `unknown layer media type `x``.
Result<Compression> layer_compression(std::string_view media_type);
// Whether media_type names a layer whose blob may not be pushed to another registry (OCI
// nondistributable, Docker foreign).
bool is_nondistributable_layer(std::string_view media_type);
// The OCI layer media type for a compression.
std::string_view oci_layer_media_type(Compression c);
// The Docker schema 2 layer media type for a compression; zstd has none and gets OCI's.
std::string_view docker_layer_media_type(Compression c);

// Whether media_type is an image manifest (OCI or Docker schema 2).
bool is_manifest_media_type(std::string_view media_type);
// Whether media_type is an index (OCI image index or Docker manifest list).
bool is_index_media_type(std::string_view media_type);
// Whether media_type is a Docker schema 1 manifest, signed or not.
bool is_schema1_media_type(std::string_view media_type);

}  // namespace ferry
