// manifest.json and repositories. docker writes both with json.NewEncoder(f).Encode(v), hence
// the trailing newline; manifest.json items follow tarexport's manifestItem field order (Config,
// RepoTags, Layers, Parent, LayerSources) and LayerSources values are distribution descriptors
// (mediaType, size, digest, urls). Go maps come out with sorted keys, as std::map iterates.

#include "ferry/oci/docker_archive.hpp"

#include "ferry/oci/json.hpp"

namespace ferry {

namespace {

Result<ArchiveManifestEntry> parse_entry(const JsonObject& o) {
    ArchiveManifestEntry e;
    e.config = TRY(o.required_string("Config"));
    e.repo_tags = or_empty(TRY(o.optional_string_array("RepoTags")));
    auto layers = TRY(o.optional_string_array("Layers"));
    if (!layers) return fail("missing field `" + o.field_path("Layers") + "`");
    e.layers = std::move(*layers);
    e.parent = TRY(o.string_or_empty("Parent"));
    if (auto sources = TRY(o.optional_object("LayerSources"))) {
        for (const auto& [key, value] : sources->json().items()) {
            auto diff_id = Digest::parse(key);
            if (!diff_id) return sources->field_error(key, diff_id.error().message);
            auto descriptor = TRY(JsonObject::view(value, sources->field_path(key)));
            e.layer_sources[*diff_id] = TRY(parse_descriptor(descriptor));
        }
    }
    return e;
}

Result<std::vector<ArchiveManifestEntry>> parse_manifest_doc(std::string_view text) {
    Json doc = TRY(parse_json(text));
    std::vector<ArchiveManifestEntry> out;
    for (const auto& entry : TRY(view_object_array(doc, "")))
        out.push_back(TRY(parse_entry(entry)));
    return out;
}

Json strings_or_null(const std::vector<std::string>& v) {
    if (v.empty()) return nullptr;
    Json a = Json::array();
    for (const auto& s : v)
        a.push_back(s);
    return a;
}

Result<LegacyRepositories> parse_repositories_doc(std::string_view text) {
    Json doc = TRY(parse_json(text));
    auto root = TRY(JsonObject::view(doc));
    LegacyRepositories out;
    for (const auto& item : doc.items()) {
        auto tags = TRY(root.optional_string_map(item.key()));
        out[item.key()] = tags.value_or(std::map<std::string, std::string>{});
    }
    return out;
}

}  // namespace

Result<std::vector<ArchiveManifestEntry>> parse_archive_manifest(std::string_view text) {
    return TRY_CTX("manifest.json", parse_manifest_doc(text));
}

std::string serialize_archive_manifest(const std::vector<ArchiveManifestEntry>& entries) {
    Json doc = Json::array();
    for (const auto& e : entries) {
        Json j = Json::object();
        j["Config"] = e.config;
        j["RepoTags"] = strings_or_null(e.repo_tags);
        j["Layers"] = strings_or_null(e.layers);
        if (!e.parent.empty()) j["Parent"] = e.parent;
        if (!e.layer_sources.empty()) {
            Json sources = Json::object();
            for (const auto& [diff_id, d] : e.layer_sources)
                sources[diff_id.str()] = to_json(d, JsonStyle::docker);
            j["LayerSources"] = std::move(sources);
        }
        doc.push_back(std::move(j));
    }
    return to_go_json(doc) + "\n";
}

Result<LegacyRepositories> parse_legacy_repositories(std::string_view text) {
    return TRY_CTX("repositories", parse_repositories_doc(text));
}

std::string serialize_legacy_repositories(const LegacyRepositories& repositories) {
    Json doc = Json::object();
    for (const auto& [repo, tags] : repositories) {
        Json t = Json::object();
        for (const auto& [tag, id] : tags)
            t[tag] = id;
        doc[repo] = std::move(t);
    }
    return to_go_json(doc) + "\n";
}

}  // namespace ferry
