// Index parsing mirrors manifest parsing: validate what ferry uses, ignore the rest.

#include "ferry/oci/index.hpp"

#include "ferry/oci/media_types.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

Result<ImageIndex> parse_index_object(const Json& doc) {
    auto root = TRY(JsonObject::view(doc));
    ImageIndex index;
    int64_t version = TRY(root.required_int("schemaVersion"));
    if (version != 2)
        return root.field_error("schemaVersion",
                                "unsupported schema version " + std::to_string(version));
    index.media_type = TRY(root.string_or_empty("mediaType"));
    if (!index.media_type.empty() && !is_index_media_type(index.media_type))
        return root.field_error("mediaType",
                                "`" + printable(index.media_type) + "` is not an index");
    index.artifact_type = TRY(root.string_or_empty("artifactType"));
    for (const auto& m : TRY(root.required_object_array("manifests")))
        index.manifests.push_back(TRY(parse_descriptor(m)));
    if (auto subject = TRY(root.optional_object("subject")))
        index.subject = TRY(parse_descriptor(*subject));
    index.annotations = or_empty(TRY(root.optional_string_map("annotations")));
    return index;
}

}  // namespace

JsonStyle ImageIndex::style() const {
    return media_type == k_docker_manifest_list ? JsonStyle::docker : JsonStyle::oci;
}

Result<ImageIndex> image_index_from_json(const Json& doc) {
    return TRY_CTX("index", parse_index_object(doc));
}

Result<ImageIndex> parse_image_index(std::string_view text) {
    Json doc = TRY_CTX("index", parse_json(text));
    return image_index_from_json(doc);
}

Json to_json(const ImageIndex& index) {
    JsonStyle style = index.style();
    Json j = Json::object();
    j["schemaVersion"] = index.schema_version;
    if (!index.media_type.empty()) j["mediaType"] = index.media_type;
    if (!index.artifact_type.empty()) j["artifactType"] = index.artifact_type;
    Json manifests = Json::array();
    for (const auto& m : index.manifests)
        manifests.push_back(to_json(m, style));
    j["manifests"] = std::move(manifests);
    if (index.subject) j["subject"] = to_json(*index.subject, style);
    if (!index.annotations.empty()) {
        Json a = Json::object();
        for (const auto& [k, v] : index.annotations)
            a[k] = v;
        j["annotations"] = std::move(a);
    }
    return j;
}

std::string serialize(const ImageIndex& index) {
    return to_go_json(to_json(index));
}

}  // namespace ferry
