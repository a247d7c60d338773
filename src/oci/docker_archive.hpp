#pragma once
// The index files of a docker-archive (`docker save` output): manifest.json, which lists each
// image's config, tags and layer files, and the legacy `repositories` file. Both are parsed and
// written byte for byte as docker 20 writes them (json.Encoder: compact, trailing newline).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/descriptor.hpp"
#include "ferry/oci/digest.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// File names at the root of a docker-archive.
inline constexpr std::string_view k_archive_manifest_file = "manifest.json";
inline constexpr std::string_view k_legacy_repositories_file = "repositories";

// One element of manifest.json.
struct ArchiveManifestEntry {
    std::string config;                  // "Config": the config's path in the archive
    std::vector<std::string> repo_tags;  // "RepoTags", familiar form ("ubuntu:22.04"); null if none
    std::vector<std::string> layers;     // "Layers": layer tar paths, bottom first
    std::string parent;                  // "Parent": parent image ID, omitted when empty
    std::map<Digest, Descriptor> layer_sources;  // "LayerSources": diff ID → foreign source

    friend bool operator==(const ArchiveManifestEntry&, const ArchiveManifestEntry&) = default;
};

// Parses manifest.json. Config and Layers are required. Errors start with `manifest.json: `:
// `manifest.json: missing field `[0].Layers``.
Result<std::vector<ArchiveManifestEntry>> parse_archive_manifest(std::string_view text);
// manifest.json as docker writes it, trailing newline included.
std::string serialize_archive_manifest(const std::vector<ArchiveManifestEntry>& entries);

// The legacy `repositories` file: repository → tag → ID of the image's top legacy layer.
using LegacyRepositories = std::map<std::string, std::map<std::string, std::string>>;

// Parses `repositories`. Errors start with `repositories: `.
Result<LegacyRepositories> parse_legacy_repositories(std::string_view text);
// `repositories` as docker writes it (keys sorted, trailing newline).
std::string serialize_legacy_repositories(const LegacyRepositories& repositories);

}  // namespace ferry
