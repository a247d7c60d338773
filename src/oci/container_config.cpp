// container.Config in docker 20's field order (api/types/container/config.go). Fields ferry does
// not model are carried in `other`; on output the ones docker always writes get docker's zero
// value when missing, the omitempty ones are written only when present, and unknown ones follow
// at the end (Go would drop them; ferry keeps what the image author put there).

#include "ferry/oci/container_config.hpp"

namespace ferry {

namespace {

constexpr std::string_view k_typed_fields[] = {
    "User",       "ExposedPorts", "Env",     "Cmd",    "Healthcheck", "ArgsEscaped", "Volumes",
    "WorkingDir", "Entrypoint",   "OnBuild", "Labels", "StopSignal",  "Shell"};

// The untyped fields of docker 20's container.Config.
constexpr std::string_view k_docker_other_fields[] = {
    "Hostname",  "Domainname", "AttachStdin", "AttachStdout",    "AttachStderr", "Tty",
    "OpenStdin", "StdinOnce",  "Image",       "NetworkDisabled", "MacAddress",   "StopTimeout"};

bool is_docker_field(std::string_view key) {
    for (auto name : k_docker_other_fields)
        if (key == name) return true;
    for (auto name : k_typed_fields)
        if (key == name) return true;
    return false;
}

// docker's strslice.StrSlice: an array of strings, or one string.
Result<std::optional<std::vector<std::string>>> str_slice(const JsonObject& o,
                                                          std::string_view key) {
    const Json* v = o.find(key);
    if (v && v->is_string()) return std::vector<std::string>{v->get<std::string>()};
    return o.optional_string_array(key);
}

Result<HealthConfig> parse_health(const JsonObject& o) {
    HealthConfig h;
    h.test = or_empty(TRY(str_slice(o, "Test")));
    h.interval = TRY(o.optional_int("Interval")).value_or(0);
    h.timeout = TRY(o.optional_int("Timeout")).value_or(0);
    h.start_period = TRY(o.optional_int("StartPeriod")).value_or(0);
    h.start_interval = TRY(o.optional_int("StartInterval")).value_or(0);
    h.retries = TRY(o.optional_int("Retries")).value_or(0);
    h.other = unknown_fields(
        o.json(), {"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"});
    return h;
}

Json strings(const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v)
        a.push_back(s);
    return a;
}

Json optional_strings(const std::optional<std::vector<std::string>>& v) {
    return v ? strings(*v) : Json(nullptr);
}

Json key_set(const std::set<std::string>& keys) {
    Json o = Json::object();
    for (const auto& k : keys)
        o[k] = Json::object();
    return o;
}

Json health_json(const HealthConfig& h) {
    Json j = Json::object();
    if (!h.test.empty()) j["Test"] = strings(h.test);
    if (h.interval) j["Interval"] = h.interval;
    if (h.timeout) j["Timeout"] = h.timeout;
    if (h.start_period) j["StartPeriod"] = h.start_period;
    if (h.start_interval) j["StartInterval"] = h.start_interval;
    if (h.retries) j["Retries"] = h.retries;
    for (const auto& [k, v] : h.other.items())
        j[k] = v;
    return j;
}

// Writes other[name], or default_value when other lacks it.
void put_other(Json& j, const Json& other, std::string_view name, const Json& default_value) {
    auto it = other.find(std::string(name));
    j[std::string(name)] = it != other.end() ? *it : default_value;
}

// Writes other[name] unless it is missing or empty (Go's omitempty: null, false, 0, "").
void put_other_omitempty(Json& j, const Json& other, std::string_view name) {
    auto it = other.find(std::string(name));
    if (it == other.end() || it->is_null()) return;
    if ((it->is_boolean() && !it->get<bool>()) || (it->is_number() && *it == 0) ||
        (it->is_string() && it->get_ref<const std::string&>().empty()))
        return;
    j[std::string(name)] = *it;
}

}  // namespace

Result<ContainerConfig> parse_container_config(const JsonObject& o) {
    ContainerConfig c;
    c.user = TRY(o.string_or_empty("User"));
    if (auto ports = TRY(o.optional_key_set("ExposedPorts")))
        c.exposed_ports.insert(ports->begin(), ports->end());
    c.env = TRY(o.optional_string_array("Env"));
    c.cmd = TRY(str_slice(o, "Cmd"));
    if (auto health = TRY(o.optional_object("Healthcheck")))
        c.healthcheck = TRY(parse_health(*health));
    c.args_escaped = TRY(o.optional_bool("ArgsEscaped")).value_or(false);
    if (auto volumes = TRY(o.optional_key_set("Volumes")))
        c.volumes = std::set<std::string>(volumes->begin(), volumes->end());
    c.working_dir = TRY(o.string_or_empty("WorkingDir"));
    c.entrypoint = TRY(str_slice(o, "Entrypoint"));
    c.on_build = TRY(o.optional_string_array("OnBuild"));
    c.labels = TRY(o.optional_string_map("Labels"));
    c.stop_signal = TRY(o.string_or_empty("StopSignal"));
    c.shell = TRY(str_slice(o, "Shell"));
    c.other = Json::object();
    for (const auto& [k, v] : o.json().items()) {
        bool typed = false;
        for (auto name : k_typed_fields)
            typed = typed || k == name;
        if (!typed) c.other[k] = v;
    }
    return c;
}

Json to_json(const ContainerConfig& c, UnknownFields unknown) {
    const Json& other = c.other;
    Json j = Json::object();
    put_other(j, other, "Hostname", "");
    put_other(j, other, "Domainname", "");
    j["User"] = c.user;
    put_other(j, other, "AttachStdin", false);
    put_other(j, other, "AttachStdout", false);
    put_other(j, other, "AttachStderr", false);
    if (!c.exposed_ports.empty()) j["ExposedPorts"] = key_set(c.exposed_ports);
    put_other(j, other, "Tty", false);
    put_other(j, other, "OpenStdin", false);
    put_other(j, other, "StdinOnce", false);
    j["Env"] = optional_strings(c.env);
    j["Cmd"] = optional_strings(c.cmd);
    if (c.healthcheck) j["Healthcheck"] = health_json(*c.healthcheck);
    if (c.args_escaped) j["ArgsEscaped"] = true;
    put_other(j, other, "Image", "");
    j["Volumes"] = c.volumes ? key_set(*c.volumes) : Json(nullptr);
    j["WorkingDir"] = c.working_dir;
    j["Entrypoint"] = optional_strings(c.entrypoint);
    put_other_omitempty(j, other, "NetworkDisabled");
    put_other_omitempty(j, other, "MacAddress");
    j["OnBuild"] = optional_strings(c.on_build);
    if (c.labels) {
        Json labels = Json::object();
        for (const auto& [k, v] : *c.labels)
            labels[k] = v;
        j["Labels"] = std::move(labels);
    } else {
        j["Labels"] = nullptr;
    }
    if (!c.stop_signal.empty()) j["StopSignal"] = c.stop_signal;
    // A pointer in Go: omitted only when nil, so a 0 timeout stays.
    if (auto it = other.find("StopTimeout"); it != other.end() && !it->is_null())
        j["StopTimeout"] = *it;
    if (c.shell && !c.shell->empty()) j["Shell"] = strings(*c.shell);
    if (unknown == UnknownFields::keep) {
        for (const auto& [k, v] : other.items())
            if (!is_docker_field(k)) j[k] = v;
    }
    return j;
}

}  // namespace ferry
