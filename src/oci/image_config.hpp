#pragma once
// The image config (OCI application/vnd.oci.image.config.v1+json, Docker
// application/vnd.docker.container.image.v1+json): platform, execution defaults, the diff IDs of
// the layers and their history. ferry stores received configs byte for byte and only parses
// them; it serialises configs it creates itself (import, commit) exactly as docker 20 does.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/container_config.hpp"
#include "ferry/oci/digest.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// One history entry: how a layer (or an empty step) was made.
struct HistoryEntry {
    std::optional<std::string> created;  // RFC 3339, as written
    std::string author;
    std::string created_by;
    std::string comment;
    bool empty_layer = false;
    Json other = Json::object();

    friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// The layers of the image's root file system, bottom first, by uncompressed digest.
struct RootFs {
    std::string type = "layers";
    std::vector<Digest> diff_ids;
    Json other = Json::object();

    friend bool operator==(const RootFs&, const RootFs&) = default;
};

// A parsed image config; `other` keeps every top-level field not modelled here.
struct ImageConfig {
    std::string architecture;
    std::string os;
    std::string variant;
    std::string os_version;
    std::vector<std::string> os_features;
    std::optional<std::string> created;  // RFC 3339, as written
    std::string author;
    std::string comment;
    std::optional<ContainerConfig> config;
    std::optional<ContainerConfig> container_config;  // docker's, from the build container
    RootFs rootfs;
    std::vector<HistoryEntry> history;
    Json other = Json::object();  // container, docker_version, and any unknown field, in order

    // created as unix nanoseconds; nullopt when absent or outside 1678-2261 (docker's zero
    // time 0001-01-01T00:00:00Z is).
    std::optional<int64_t> created_unix_ns() const;

    friend bool operator==(const ImageConfig&, const ImageConfig&) = default;
};

// Parses an image config leniently (docker's extra fields such as container, container_config
// and docker_version are accepted and kept), validating what ferry relies on: rootfs of type
// layers with valid diff IDs, RFC 3339 timestamps, well-typed execution fields. Errors start with
// `image config: `: `image config: field `rootfs.diff_ids[1]`: invalid digest `sha256:zz``.
Result<ImageConfig> parse_image_config(std::string_view text);
// As parse_image_config, from an already parsed document.
Result<ImageConfig> image_config_from_json(const Json& doc);

// The config as docker writes it: top-level keys sorted (docker marshals the image through a
// map), config and container_config in container.Config's order, history and rootfs in their
// Go structs' order; unset optional fields omitted.
Json to_json(const ImageConfig& config);
// The config's bytes as docker writes them; their sha256 is the image ID.
std::string serialize(const ImageConfig& config);

// The chain ID of each layer prefix: chain[0] = diff_ids[0], chain[i] = sha256 of
// "chain[i-1] diff_ids[i]" (OCI image spec); the key under which a layer stack is unpacked.
std::vector<Digest> chain_ids(const std::vector<Digest>& diff_ids);

}  // namespace ferry
