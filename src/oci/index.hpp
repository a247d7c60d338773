#pragma once
// Image indexes: the OCI image index and Docker's manifest list (one manifest per platform),
// also the shape of an OCI layout's index.json.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/descriptor.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// A parsed index (OCI image index or Docker manifest list).
struct ImageIndex {
    int schema_version = 2;
    std::string media_type;  // OCI index or Docker manifest list; may be empty in OCI
    std::string artifact_type;
    std::vector<Descriptor> manifests;
    std::optional<Descriptor> subject;
    std::map<std::string, std::string> annotations;

    // Docker style for Docker manifest lists, else OCI.
    JsonStyle style() const;

    friend bool operator==(const ImageIndex&, const ImageIndex&) = default;
};

// Parses and validates an index. Errors start with `index: `: `index: field
// `manifests[0].platform.os`: expected a string`.
Result<ImageIndex> parse_image_index(std::string_view text);
// As parse_image_index, from an already parsed document.
Result<ImageIndex> image_index_from_json(const Json& doc);

// The index as JSON: schemaVersion, mediaType, [artifactType,] manifests, [subject,
// annotations].
Json to_json(const ImageIndex& index);
// The index's bytes as docker or an OCI tool writes them.
std::string serialize(const ImageIndex& index);

}  // namespace ferry
