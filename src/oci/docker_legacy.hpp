#pragma once
// The legacy v1 layer directories docker save writes next to the images (<id>/json, <id>/VERSION,
// <id>/layer.tar). Their IDs are derived from the image config exactly as docker 20 derives
// them, so that an archive ferry writes is byte-identical to docker's.

#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/image_config.hpp"

namespace ferry {

// Contents of each legacy layer's VERSION file.
inline constexpr std::string_view k_legacy_layer_version = "1.0";

// One legacy layer directory.
struct LegacyLayer {
    std::string id;    // 64 hex: the directory name
    std::string json;  // the `json` file's contents (no trailing newline)
};

// The legacy layers of an image, one per diff ID, bottom first; empty when the image has no
// layers (docker refuses to save those).
std::vector<LegacyLayer> legacy_layers(const ImageConfig& config);

// A timestamp re-encoded as Go's time.Time marshals it after parsing (RFC 3339 with nanoseconds,
// trailing zeros dropped, UTC written as Z); the input unchanged when it is not RFC 3339.
std::string go_time(std::string_view rfc3339);

}  // namespace ferry
