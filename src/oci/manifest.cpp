// Manifest parsing validates what ferry relies on (schema version, media type, every
// descriptor's digest and size) and ignores unknown fields, as Go's decoder does; ferry keeps
// manifests byte for byte as received, so nothing is lost by not modelling them.

#include "ferry/oci/manifest.hpp"

#include "ferry/oci/media_types.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

Result<ImageManifest> parse_manifest_object(const Json& doc) {
    auto root = TRY(JsonObject::view(doc));
    ImageManifest m;
    int64_t version = TRY(root.required_int("schemaVersion"));
    if (version != 2)
        return root.field_error("schemaVersion",
                                "unsupported schema version " + std::to_string(version));
    m.schema_version = 2;
    m.media_type = TRY(root.string_or_empty("mediaType"));
    if (!m.media_type.empty() && !is_manifest_media_type(m.media_type))
        return root.field_error("mediaType",
                                "`" + printable(m.media_type) + "` is not an image manifest");
    m.artifact_type = TRY(root.string_or_empty("artifactType"));
    auto config = TRY(root.required_object("config"));
    m.config = TRY(parse_descriptor(config));
    for (const auto& layer : TRY(root.required_object_array("layers")))
        m.layers.push_back(TRY(parse_descriptor(layer)));
    if (auto subject = TRY(root.optional_object("subject")))
        m.subject = TRY(parse_descriptor(*subject));
    m.annotations = or_empty(TRY(root.optional_string_map("annotations")));
    return m;
}

}  // namespace

JsonStyle ImageManifest::style() const {
    return media_type == k_docker_manifest ? JsonStyle::docker : JsonStyle::oci;
}

Result<ImageManifest> image_manifest_from_json(const Json& doc) {
    return TRY_CTX("manifest", parse_manifest_object(doc));
}

Result<ImageManifest> parse_image_manifest(std::string_view text) {
    Json doc = TRY_CTX("manifest", parse_json(text));
    return image_manifest_from_json(doc);
}

Result<ManifestKind> manifest_kind(const Json& doc) {
    if (!doc.is_object()) return fail("manifest: expected a JSON object");
    auto it = doc.find("mediaType");
    if (it != doc.end() && it->is_string()) {
        const auto& type = it->get_ref<const std::string&>();
        if (is_manifest_media_type(type)) return ManifestKind::image_manifest;
        if (is_index_media_type(type)) return ManifestKind::index;
        return fail("manifest: unsupported media type `" + printable(type) + "`");
    }
    if (doc.contains("manifests")) return ManifestKind::index;
    if (doc.contains("config")) return ManifestKind::image_manifest;
    return fail("manifest: neither an image manifest nor an index");
}

Json to_json(const ImageManifest& m) {
    JsonStyle style = m.style();
    Json j = Json::object();
    j["schemaVersion"] = m.schema_version;
    if (!m.media_type.empty()) j["mediaType"] = m.media_type;
    if (!m.artifact_type.empty()) j["artifactType"] = m.artifact_type;
    j["config"] = to_json(m.config, style);
    Json layers = Json::array();
    for (const auto& layer : m.layers)
        layers.push_back(to_json(layer, style));
    j["layers"] = std::move(layers);
    if (m.subject) j["subject"] = to_json(*m.subject, style);
    if (!m.annotations.empty()) {
        Json a = Json::object();
        for (const auto& [k, v] : m.annotations)
            a[k] = v;
        j["annotations"] = std::move(a);
    }
    return j;
}

std::string serialize(const ImageManifest& manifest) {
    return to_go_json(to_json(manifest));
}

}  // namespace ferry
