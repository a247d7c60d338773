#pragma once
// Content descriptors (OCI descriptor, Docker distribution.Descriptor) and platforms.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/oci/digest.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// Which tool's field order a document is written in: OCI image-spec (mediaType, digest, size) or
// Docker distribution (mediaType, size, digest).
enum class JsonStyle { oci, docker };

// The platform an image in an index runs on.
struct Platform {
    std::string architecture;              // "amd64"
    std::string os;                        // "linux"
    std::string os_version;                // `os.version`, Windows only
    std::vector<std::string> os_features;  // `os.features`
    std::string variant;                   // "v8" for arm64
    std::vector<std::string> features;     // Docker manifest lists only

    friend bool operator==(const Platform&, const Platform&) = default;
};

// A reference to a blob: what it is, its digest and size, and where else to fetch it.
struct Descriptor {
    std::string media_type;
    Digest digest;
    int64_t size = 0;
    std::vector<std::string> urls;
    std::map<std::string, std::string> annotations;
    std::optional<Platform> platform;
    std::string artifact_type;

    // The annotation key, or nullopt.
    std::optional<std::string> annotation(std::string_view key) const;

    friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

// Reads a descriptor. mediaType, digest and size are required; size must not be negative.
// Errors name the field: `field `layers[2].digest`: invalid digest `sha256:zz``.
Result<Descriptor> parse_descriptor(const JsonObject& object);
// Reads a platform; architecture and os are required.
Result<Platform> parse_platform(const JsonObject& object);

// The descriptor as JSON in the given style; empty fields are omitted as Go's omitempty does.
Json to_json(const Descriptor& descriptor, JsonStyle style);
// The platform as JSON (architecture, os, os.version, os.features, variant, features).
Json to_json(const Platform& platform);

}  // namespace ferry
