// Descriptor and platform (de)serialisation. Field orders follow the Go structs:
// image-spec's v1.Descriptor (mediaType, digest, size, urls, annotations, platform, artifactType)
// and distribution's Descriptor (mediaType, size, digest, urls, annotations, platform).

#include "ferry/oci/descriptor.hpp"

namespace ferry {

namespace {

Json string_array(const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v)
        a.push_back(s);
    return a;
}

Json string_map(const std::map<std::string, std::string>& m) {
    Json o = Json::object();
    for (const auto& [k, v] : m)
        o[k] = v;
    return o;
}

}  // namespace

std::optional<std::string> Descriptor::annotation(std::string_view key) const {
    auto it = annotations.find(std::string(key));
    if (it == annotations.end()) return std::nullopt;
    return it->second;
}

Result<Platform> parse_platform(const JsonObject& object) {
    Platform p;
    p.architecture = TRY(object.required_string("architecture"));
    p.os = TRY(object.required_string("os"));
    p.os_version = TRY(object.string_or_empty("os.version"));
    p.os_features = or_empty(TRY(object.optional_string_array("os.features")));
    p.variant = TRY(object.string_or_empty("variant"));
    p.features = or_empty(TRY(object.optional_string_array("features")));
    return p;
}

Result<Descriptor> parse_descriptor(const JsonObject& object) {
    Descriptor d;
    d.media_type = TRY(object.required_string("mediaType"));
    std::string digest = TRY(object.required_string("digest"));
    auto parsed = Digest::parse(digest);
    if (!parsed) return object.field_error("digest", parsed.error().message);
    d.digest = std::move(*parsed);
    d.size = TRY(object.required_int("size"));
    if (d.size < 0) return object.field_error("size", "must not be negative");
    d.urls = or_empty(TRY(object.optional_string_array("urls")));
    d.annotations = or_empty(TRY(object.optional_string_map("annotations")));
    if (auto platform = TRY(object.optional_object("platform")))
        d.platform = TRY(parse_platform(*platform));
    d.artifact_type = TRY(object.string_or_empty("artifactType"));
    return d;
}

Json to_json(const Platform& p) {
    Json j = Json::object();
    j["architecture"] = p.architecture;
    j["os"] = p.os;
    if (!p.os_version.empty()) j["os.version"] = p.os_version;
    if (!p.os_features.empty()) j["os.features"] = string_array(p.os_features);
    if (!p.variant.empty()) j["variant"] = p.variant;
    if (!p.features.empty()) j["features"] = string_array(p.features);
    return j;
}

Json to_json(const Descriptor& d, JsonStyle style) {
    Json j = Json::object();
    j["mediaType"] = d.media_type;
    if (style == JsonStyle::docker) {
        j["size"] = d.size;
        j["digest"] = d.digest.str();
    } else {
        j["digest"] = d.digest.str();
        j["size"] = d.size;
    }
    if (!d.urls.empty()) j["urls"] = string_array(d.urls);
    if (!d.annotations.empty()) j["annotations"] = string_map(d.annotations);
    if (d.platform) j["platform"] = to_json(*d.platform);
    if (!d.artifact_type.empty() && style == JsonStyle::oci) j["artifactType"] = d.artifact_type;
    return j;
}

}  // namespace ferry
