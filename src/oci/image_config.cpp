// Image config (de)serialisation. docker's image.Image.MarshalJSON marshals the struct, reads
// the result back into a map[string]*json.RawMessage and marshals that map, so the top-level
// keys come out sorted while nested objects keep their Go struct order; to_json rebuilds that
// layout: each top-level field is produced into a std::map and emitted in key order.

#include "ferry/oci/image_config.hpp"

#include <map>

#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

Result<std::optional<std::string>> timestamp(const JsonObject& o, std::string_view key) {
    auto v = TRY(o.optional_string(key));
    if (v && !is_rfc3339(*v)) return o.field_error(key, "invalid time `" + printable(*v) + "`");
    return v;
}

Result<HistoryEntry> parse_history(const JsonObject& o) {
    HistoryEntry h;
    h.created = TRY(timestamp(o, "created"));
    h.author = TRY(o.string_or_empty("author"));
    h.created_by = TRY(o.string_or_empty("created_by"));
    h.comment = TRY(o.string_or_empty("comment"));
    h.empty_layer = TRY(o.optional_bool("empty_layer")).value_or(false);
    h.other =
        unknown_fields(o.json(), {"created", "author", "created_by", "comment", "empty_layer"});
    return h;
}

Result<RootFs> parse_rootfs(const JsonObject& o) {
    RootFs r;
    r.type = TRY(o.required_string("type"));
    if (r.type != "layers")
        return o.field_error("type", "unsupported type `" + printable(r.type) + "`");
    auto ids = or_empty(TRY(o.optional_string_array("diff_ids")));
    for (size_t i = 0; i < ids.size(); ++i) {
        auto d = Digest::parse(ids[i]);
        if (!d) return o.field_error("diff_ids[" + std::to_string(i) + "]", d.error().message);
        r.diff_ids.push_back(std::move(*d));
    }
    r.other = unknown_fields(o.json(), {"type", "diff_ids"});
    return r;
}

Result<ImageConfig> parse_config_object(const Json& doc) {
    auto root = TRY(JsonObject::view(doc));
    ImageConfig c;
    c.architecture = TRY(root.string_or_empty("architecture"));
    c.os = TRY(root.string_or_empty("os"));
    c.variant = TRY(root.string_or_empty("variant"));
    c.os_version = TRY(root.string_or_empty("os.version"));
    c.os_features = or_empty(TRY(root.optional_string_array("os.features")));
    c.created = TRY(timestamp(root, "created"));
    c.author = TRY(root.string_or_empty("author"));
    c.comment = TRY(root.string_or_empty("comment"));
    if (auto config = TRY(root.optional_object("config")))
        c.config = TRY(parse_container_config(*config));
    if (auto config = TRY(root.optional_object("container_config")))
        c.container_config = TRY(parse_container_config(*config));
    auto rootfs = TRY(root.required_object("rootfs"));
    c.rootfs = TRY(parse_rootfs(rootfs));
    for (const auto& h : TRY(root.optional_object_array("history")))
        c.history.push_back(TRY(parse_history(h)));
    c.other = unknown_fields(
        doc, {"architecture", "os", "variant", "os.version", "os.features", "created", "author",
              "comment", "config", "container_config", "rootfs", "history"});
    return c;
}

Json strings(const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v)
        a.push_back(s);
    return a;
}

Json history_json(const HistoryEntry& h) {
    Json j = Json::object();
    if (h.created) j["created"] = *h.created;
    if (!h.author.empty()) j["author"] = h.author;
    if (!h.created_by.empty()) j["created_by"] = h.created_by;
    if (!h.comment.empty()) j["comment"] = h.comment;
    if (h.empty_layer) j["empty_layer"] = true;
    for (const auto& [k, v] : h.other.items())
        j[k] = v;
    return j;
}

Json rootfs_json(const RootFs& r) {
    Json j = Json::object();
    j["type"] = r.type;
    if (!r.diff_ids.empty()) {
        Json ids = Json::array();
        for (const auto& d : r.diff_ids)
            ids.push_back(d.str());
        j["diff_ids"] = std::move(ids);
    }
    for (const auto& [k, v] : r.other.items())
        j[k] = v;
    return j;
}

}  // namespace

std::optional<int64_t> ImageConfig::created_unix_ns() const {
    if (!created) return std::nullopt;
    return parse_rfc3339(*created);
}

Result<ImageConfig> image_config_from_json(const Json& doc) {
    return TRY_CTX("image config", parse_config_object(doc));
}

Result<ImageConfig> parse_image_config(std::string_view text) {
    Json doc = TRY_CTX("image config", parse_json(text));
    return image_config_from_json(doc);
}

Json to_json(const ImageConfig& c) {
    std::map<std::string, Json> fields;
    for (const auto& [k, v] : c.other.items())
        fields[k] = v;
    if (!c.architecture.empty()) fields["architecture"] = c.architecture;
    if (!c.os.empty()) fields["os"] = c.os;
    if (!c.variant.empty()) fields["variant"] = c.variant;
    if (!c.os_version.empty()) fields["os.version"] = c.os_version;
    if (!c.os_features.empty()) fields["os.features"] = strings(c.os_features);
    if (c.created) fields["created"] = *c.created;
    if (!c.author.empty()) fields["author"] = c.author;
    if (!c.comment.empty()) fields["comment"] = c.comment;
    if (c.config) fields["config"] = to_json(*c.config);
    if (c.container_config) fields["container_config"] = to_json(*c.container_config);
    fields["rootfs"] = rootfs_json(c.rootfs);
    if (!c.history.empty()) {
        Json history = Json::array();
        for (const auto& h : c.history)
            history.push_back(history_json(h));
        fields["history"] = std::move(history);
    }
    Json j = Json::object();
    for (auto& [k, v] : fields)
        j[k] = std::move(v);
    return j;
}

std::string serialize(const ImageConfig& config) {
    return to_go_json(to_json(config));
}

std::vector<Digest> chain_ids(const std::vector<Digest>& diff_ids) {
    std::vector<Digest> out;
    out.reserve(diff_ids.size());
    for (const auto& d : diff_ids) {
        if (out.empty())
            out.push_back(d);
        else
            out.push_back(Digest::of(out.back().str() + " " + d.str()));
    }
    return out;
}

}  // namespace ferry
