// CDI specs: writing. The spec becomes an ordered JSON value with the field order of the CDI
// reference types and with empty optional fields left out (Go's omitempty), then is dumped as
// JSON or, through json_to_yaml, as YAML.

#include <nlohmann/json.hpp>

#include "ferry/oci/cdi.hpp"
#include "ferry/oci/yaml.hpp"

namespace ferry::oci::cdi {

using json = nlohmann::ordered_json;

namespace {

void put_string(json& obj, const char* key, const std::string& value) {
    if (!value.empty()) obj[key] = value;
}

void put_strings(json& obj, const char* key, const std::vector<std::string>& values) {
    if (!values.empty()) obj[key] = values;
}

template <class T>
void put_optional(json& obj, const char* key, const std::optional<T>& value) {
    if (value) obj[key] = *value;
}

json annotations_json(const Annotations& annotations) {
    json out = json::object();
    for (const auto& [k, v] : annotations)
        out[k] = v;
    return out;
}

json edits_json(const ContainerEdits& e) {
    json out = json::object();
    put_strings(out, "env", e.env);
    if (!e.device_nodes.empty()) {
        json& nodes = out["deviceNodes"] = json::array();
        for (const auto& n : e.device_nodes) {
            json j = {{"path", n.path}};
            put_string(j, "hostPath", n.host_path);
            put_string(j, "type", n.type);
            put_optional(j, "major", n.major);
            put_optional(j, "minor", n.minor);
            put_optional(j, "fileMode", n.file_mode);
            put_string(j, "permissions", n.permissions);
            put_optional(j, "uid", n.uid);
            put_optional(j, "gid", n.gid);
            nodes.push_back(std::move(j));
        }
    }
    if (!e.mounts.empty()) {
        json& mounts = out["mounts"] = json::array();
        for (const auto& m : e.mounts) {
            json j = {{"hostPath", m.host_path}, {"containerPath", m.container_path}};
            put_string(j, "type", m.type);
            put_strings(j, "options", m.options);
            mounts.push_back(std::move(j));
        }
    }
    if (!e.hooks.empty()) {
        json& hooks = out["hooks"] = json::array();
        for (const auto& h : e.hooks) {
            json j = {{"hookName", h.hook_name}, {"path", h.path}};
            put_strings(j, "args", h.args);
            put_strings(j, "env", h.env);
            put_optional(j, "timeout", h.timeout);
            hooks.push_back(std::move(j));
        }
    }
    if (!e.additional_gids.empty()) out["additionalGids"] = e.additional_gids;
    if (e.intel_rdt) {
        json j = json::object();
        put_string(j, "closID", e.intel_rdt->clos_id);
        put_string(j, "l3CacheSchema", e.intel_rdt->l3_cache_schema);
        put_string(j, "memBwSchema", e.intel_rdt->mem_bw_schema);
        if (e.intel_rdt->enable_cmt) j["enableCMT"] = true;
        if (e.intel_rdt->enable_mbm) j["enableMBM"] = true;
        out["intelRdt"] = std::move(j);
    }
    return out;
}

}  // namespace

std::string write_spec(const Spec& spec, Format format) {
    json doc = {{"cdiVersion", spec.version}, {"kind", spec.kind}};
    if (!spec.annotations.empty()) doc["annotations"] = annotations_json(spec.annotations);
    json& devices = doc["devices"] = json::array();
    for (const auto& d : spec.devices) {
        json j = {{"name", d.name}};
        if (!d.annotations.empty()) j["annotations"] = annotations_json(d.annotations);
        j["containerEdits"] = edits_json(d.edits);
        devices.push_back(std::move(j));
    }
    if (!spec.edits.empty()) doc["containerEdits"] = edits_json(spec.edits);
    if (format == Format::yaml) return json_to_yaml(doc);
    return doc.dump(2) + "\n";
}

}  // namespace ferry::oci::cdi
