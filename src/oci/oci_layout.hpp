#pragma once
// The OCI image layout (a directory or an oci-archive): the `oci-layout` marker file and the
// index.json that names the images in it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/descriptor.hpp"
#include "ferry/oci/index.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// Names and version of the OCI image layout.
inline constexpr std::string_view k_oci_layout_file = "oci-layout";
inline constexpr std::string_view k_oci_index_file = "index.json";
inline constexpr std::string_view k_oci_blobs_dir = "blobs";
inline constexpr std::string_view k_oci_layout_version = "1.0.0";

// The `oci-layout` file ferry writes: {"imageLayoutVersion":"1.0.0"}.
std::string oci_layout_file();
// Checks an `oci-layout` file (any JSON spacing, as skopeo writes it with a space). Fails with
// `oci-layout: unsupported imageLayoutVersion `2.0.0`` or `oci-layout: malformed JSON`.
Result<void> check_oci_layout_file(std::string_view text);

// The path of a blob inside the layout: blobs/<algorithm>/<hex>.
std::string oci_blob_path(const Digest& digest);

// The image name a layout's index entry carries: io.containerd.image.name when present (a full
// reference, as docker and containerd write), else org.opencontainers.image.ref.name (often
// only a tag, as skopeo and umoci write); nullopt when neither.
std::optional<std::string> layout_image_name(const Descriptor& entry);

// An index.json for the given manifests: schemaVersion 2 and the OCI index media type, as
// docker 25's OCI save writes it (skopeo and umoci omit the media type; both forms parse).
ImageIndex make_layout_index(std::vector<Descriptor> manifests);

}  // namespace ferry
