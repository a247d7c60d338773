// Classification follows docker: the Content-Type decides when it names a manifest type (as
// distribution's UnmarshalManifest does), and the document's own fields when the header is
// generic (moby's detectManifestBlobMediaType, the path containerd's fetcher takes). Each parser
// then checks the document's mediaType against the type it is read as, with distribution's
// words, so a registry that mislabels a document is refused as docker refuses it.

#include "ferry/oci/remote_manifest.hpp"

#include <array>

#include "ferry/oci/json.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

// The header's media type: parameters dropped, lower case, trimmed.
std::string header_type(std::string_view content_type) {
    size_t semi = content_type.find(';');
    return to_lower(trim(content_type.substr(0, semi)));
}

bool is_known_type(std::string_view t) {
    return is_manifest_media_type(t) || is_index_media_type(t) || is_schema1_media_type(t);
}

// detectManifestBlobMediaType: a field counts when present, even as null (json.RawMessage).
Result<std::string> detect_type(const Json& doc) {
    if (!doc.is_object()) return fail("media-type: cannot determine");
    auto has = [&](const char* key) { return doc.contains(key); };
    std::string type;
    if (auto it = doc.find("mediaType"); it != doc.end() && it->is_string())
        type = it->get<std::string>();
    const std::string q = "\"" + type + "\"";
    if (is_manifest_media_type(type)) {
        if (has("manifests") || has("fsLayers"))
            return fail("media-type: " + q + R"( should not have "manifests" or "fsLayers")");
        return type;
    }
    if (is_index_media_type(type)) {
        if (has("config") || has("layers") || has("fsLayers"))
            return fail("media-type: " + q +
                        R"( should not have "config", "layers", or "fsLayers")");
        return type;
    }
    if (type == k_docker_schema1_manifest) {
        if (has("manifests") || has("layers"))
            return fail("media-type: " + q + R"( should not have "manifests" or "layers")");
        return type;
    }
    if (!type.empty()) return type;
    auto version = doc.find("schemaVersion");
    bool v1 = version != doc.end() && version->is_number_integer() && version->get<int64_t>() == 1;
    if ((has("fsLayers") || v1) && !has("manifests") && !has("layers") && !has("config"))
        return std::string(k_docker_schema1_manifest);
    if ((has("config") || has("layers")) && !has("manifests") && !has("fsLayers"))
        return std::string(k_oci_manifest);
    if (!has("config") && !has("layers") && !has("fsLayers")) return std::string(k_oci_index);
    return fail("media-type: cannot determine");
}

// The document's mediaType checked against the type it is read as (distribution's unmarshalers).
Result<void> check_document_type(const Json& doc, std::string_view type) {
    std::string own;
    if (auto it = doc.find("mediaType"); it != doc.end() && it->is_string())
        own = it->get<std::string>();
    if (own == type) return {};
    auto wrong = [&](std::string_view what, bool optional) -> Result<void> {
        if (optional && own.empty()) return {};
        return fail(std::string(optional ? "if present, " : "") + "mediaType in " +
                    std::string(what) + " should be '" + std::string(type) + "' not '" +
                    printable(own) + "'");
    };
    if (type == k_docker_manifest) return wrong("manifest", false);
    if (type == k_oci_manifest) return wrong("manifest", true);
    if (type == k_docker_manifest_list) return wrong("manifest list", false);
    if (type == k_oci_index) return wrong("image index", true);
    return {};
}

// pull_v2's check of a schema 2 config: the image types docker pulls, else the class it names.
Result<void> check_config_type(const ImageManifest& m) {
    static constexpr std::array<std::string_view, 6> k_image_types = {
        k_docker_config,    k_oci_config, "application/octet-stream",
        "application/json", "text/html",  ""};
    const std::string& type = m.config.media_type;
    for (auto t : k_image_types)
        if (type == t) return {};
    std::string cls = type == k_docker_plugin_config ? "plugin" : "unknown";
    return fail("Encountered remote \"" + printable(type) + "\"(" + cls + ") when fetching");
}

RemoteKind kind_of(std::string_view type) {
    if (type == k_docker_manifest) return RemoteKind::docker_schema2;
    if (type == k_docker_manifest_list) return RemoteKind::docker_manifest_list;
    if (type == k_oci_manifest) return RemoteKind::oci_manifest;
    if (type == k_oci_index) return RemoteKind::oci_index;
    return RemoteKind::schema1;
}

}  // namespace

Result<void> check_manifest_size(uint64_t size, std::string_view ref) {
    if (size <= k_max_manifest_bytes) return {};
    return fail("rejecting " + std::to_string(size) + " byte manifest for " + std::string(ref));
}

std::string manifest_accept_header() {
    return std::string(k_docker_manifest) + ", " + std::string(k_docker_manifest_list) + ", " +
           std::string(k_oci_manifest) + ", " + std::string(k_oci_index) + ", " +
           std::string(k_docker_schema1_signed_manifest) + ", " +
           std::string(k_docker_schema1_manifest);
}

bool RemoteManifest::is_index() const {
    return kind == RemoteKind::docker_manifest_list || kind == RemoteKind::oci_index;
}

Result<std::string> manifest_media_type(std::string_view bytes, std::string_view content_type) {
    std::string type = header_type(content_type);
    if (type == k_docker_schema1_signed_manifest) return std::string(k_docker_schema1_manifest);
    if (is_known_type(type)) return type;
    Json doc = TRY_CTX("manifest", parse_json(bytes, k_max_manifest_bytes));
    type = TRY(detect_type(doc));
    if (!is_known_type(type)) return fail("unsupported manifest format");
    return type;
}

Result<RemoteManifest> parse_remote_manifest(std::string_view bytes,
                                             std::string_view content_type) {
    std::string type = TRY(manifest_media_type(bytes, content_type));
    RemoteManifest out;
    out.media_type = type;
    out.kind = kind_of(type);
    if (out.kind == RemoteKind::schema1) {
        auto m = TRY(parse_schema1_manifest(bytes));
        out.digest = m.digest();
        out.document = std::move(m);
        return out;
    }
    Json doc = TRY_CTX("manifest", parse_json(bytes, k_max_manifest_bytes));
    if (!doc.is_object()) return fail("manifest: expected a JSON object");
    TRY(check_document_type(doc, type));
    out.digest = Digest::of(bytes);
    if (out.is_index()) {
        out.document = TRY(image_index_from_json(doc));
        return out;
    }
    auto manifest = TRY(image_manifest_from_json(doc));
    if (out.kind == RemoteKind::docker_schema2) TRY(check_config_type(manifest));
    out.document = std::move(manifest);
    return out;
}

Result<void> verify_manifest_digest(const RemoteManifest& manifest, const Digest& wanted) {
    if (manifest.digest == wanted) return {};
    std::string what = manifest.kind == RemoteKind::schema1 ? "image" : "manifest";
    return fail(what + " verification failed for digest " + wanted.str());
}

}  // namespace ferry
