// CDI specs: reading and validation. A spec is first turned into a JSON value (YAML through
// yaml_to_json), then read field by field with the path of each field kept, so every problem is
// reported as `field `devices[0].containerEdits.env[1]`: ...`. Reading is strict (unknown fields
// are errors, as CDI's own strict parser) and validation applies the rules of the CDI reference
// implementation: known versions, the minimum version implied by the fields used, kind and
// device-name syntax, unique names, valid edits.

#include "ferry/oci/cdi.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "ferry/oci/yaml.hpp"

namespace ferry::oci::cdi {

using json = nlohmann::ordered_json;

namespace {

// Known cdiVersion values, oldest first.
constexpr std::string_view k_versions[] = {"0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0",
                                           "0.6.0", "0.7.0", "0.8.0", "1.0.0"};
constexpr std::string_view k_hook_names[] = {"prestart",       "createRuntime", "createContainer",
                                             "startContainer", "poststart",     "poststop"};

std::unexpected<Error> field_error(const std::string& path, const std::string& what) {
    return fail("field `" + path + "`: " + what);
}

std::string sub(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string at(const std::string& parent, size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

std::string type_name(const json& v) {
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_null()) return "null";
    if (v.is_array()) return "a list";
    return "a mapping";
}

Result<void> expect_object(const json& v, const std::string& path,
                           std::initializer_list<std::string_view> allowed) {
    if (!v.is_object()) return field_error(path, "expected a mapping, got " + type_name(v));
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
            return field_error(sub(path, it.key()), "unknown field");
    }
    return {};
}

// The member key of obj, or null when absent (null counts as absent, as in Go).
const json* member(const json& obj, std::string_view key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

Result<void> read_string(const json& obj, std::string_view key, const std::string& parent,
                         std::string& out, bool required = false) {
    const json* v = member(obj, key);
    if (!v) return required ? field_error(sub(parent, key), "missing") : Result<void>{};
    if (!v->is_string())
        return field_error(sub(parent, key), "expected a string, got " + type_name(*v));
    out = v->get<std::string>();
    return {};
}

Result<void> read_strings(const json& obj, std::string_view key, const std::string& parent,
                          std::vector<std::string>& out) {
    const json* v = member(obj, key);
    if (!v) return {};
    std::string path = sub(parent, key);
    if (!v->is_array()) return field_error(path, "expected a list, got " + type_name(*v));
    for (size_t i = 0; i < v->size(); ++i) {
        if (!(*v)[i].is_string())
            return field_error(at(path, i), "expected a string, got " + type_name((*v)[i]));
        out.push_back((*v)[i].get<std::string>());
    }
    return {};
}

Result<int64_t> integer(const json& v, const std::string& path, int64_t min, int64_t max) {
    int64_t n;
    if (v.is_number_unsigned()) {
        uint64_t u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(INT64_MAX)) return field_error(path, "out of range");
        n = static_cast<int64_t>(u);
    } else if (v.is_number_integer()) {
        n = v.get<int64_t>();
    } else {
        return field_error(path, "expected an integer, got " + type_name(v));
    }
    if (n < min || n > max) return field_error(path, "out of range: " + std::to_string(n));
    return n;
}

template <class T>
Result<void> read_int(const json& obj, std::string_view key, const std::string& parent,
                      std::optional<T>& out, int64_t min, int64_t max) {
    const json* v = member(obj, key);
    if (!v) return {};
    out = static_cast<T>(TRY(integer(*v, sub(parent, key), min, max)));
    return {};
}

Result<void> read_bool(const json& obj, std::string_view key, const std::string& parent,
                       bool& out) {
    const json* v = member(obj, key);
    if (!v) return {};
    if (!v->is_boolean())
        return field_error(sub(parent, key), "expected a boolean, got " + type_name(*v));
    out = v->get<bool>();
    return {};
}

Result<void> read_annotations(const json& obj, const std::string& parent, Annotations& out) {
    const json* v = member(obj, "annotations");
    if (!v) return {};
    std::string path = sub(parent, "annotations");
    if (!v->is_object()) return field_error(path, "expected a mapping, got " + type_name(*v));
    for (auto it = v->begin(); it != v->end(); ++it) {
        if (!it.value().is_string())
            return field_error(sub(path, it.key()),
                               "expected a string, got " + type_name(it.value()));
        out.emplace_back(it.key(), it.value().get<std::string>());
    }
    return {};
}

template <class T, class F>
Result<void> read_list(const json& obj, std::string_view key, const std::string& parent,
                       std::vector<T>& out, F read_one) {
    const json* v = member(obj, key);
    if (!v) return {};
    std::string path = sub(parent, key);
    if (!v->is_array()) return field_error(path, "expected a list, got " + type_name(*v));
    for (size_t i = 0; i < v->size(); ++i)
        out.push_back(TRY(read_one((*v)[i], at(path, i))));
    return {};
}

Result<DeviceNode> read_device_node(const json& v, const std::string& path) {
    TRY(expect_object(
        v, path,
        {"path", "hostPath", "type", "major", "minor", "fileMode", "permissions", "uid", "gid"}));
    DeviceNode n;
    TRY(read_string(v, "path", path, n.path, true));
    TRY(read_string(v, "hostPath", path, n.host_path));
    TRY(read_string(v, "type", path, n.type));
    TRY(read_int(v, "major", path, n.major, INT64_MIN, INT64_MAX));
    TRY(read_int(v, "minor", path, n.minor, INT64_MIN, INT64_MAX));
    TRY(read_int(v, "fileMode", path, n.file_mode, 0, UINT32_MAX));
    TRY(read_string(v, "permissions", path, n.permissions));
    TRY(read_int(v, "uid", path, n.uid, 0, UINT32_MAX));
    TRY(read_int(v, "gid", path, n.gid, 0, UINT32_MAX));
    return n;
}

Result<Mount> read_mount(const json& v, const std::string& path) {
    TRY(expect_object(v, path, {"hostPath", "containerPath", "type", "options"}));
    Mount m;
    TRY(read_string(v, "hostPath", path, m.host_path, true));
    TRY(read_string(v, "containerPath", path, m.container_path, true));
    TRY(read_string(v, "type", path, m.type));
    TRY(read_strings(v, "options", path, m.options));
    return m;
}

Result<Hook> read_hook(const json& v, const std::string& path) {
    TRY(expect_object(v, path, {"hookName", "path", "args", "env", "timeout"}));
    Hook h;
    TRY(read_string(v, "hookName", path, h.hook_name, true));
    TRY(read_string(v, "path", path, h.path, true));
    TRY(read_strings(v, "args", path, h.args));
    TRY(read_strings(v, "env", path, h.env));
    TRY(read_int(v, "timeout", path, h.timeout, INT64_MIN, INT64_MAX));
    return h;
}

Result<uint32_t> read_gid(const json& v, const std::string& path) {
    return static_cast<uint32_t>(TRY(integer(v, path, 0, UINT32_MAX)));
}

Result<ContainerEdits> read_edits(const json& v, const std::string& path) {
    TRY(expect_object(v, path,
                      {"env", "deviceNodes", "mounts", "hooks", "additionalGids", "intelRdt"}));
    ContainerEdits e;
    TRY(read_strings(v, "env", path, e.env));
    TRY(read_list(v, "deviceNodes", path, e.device_nodes, read_device_node));
    TRY(read_list(v, "mounts", path, e.mounts, read_mount));
    TRY(read_list(v, "hooks", path, e.hooks, read_hook));
    TRY(read_list(v, "additionalGids", path, e.additional_gids, read_gid));
    if (const json* r = member(v, "intelRdt")) {
        std::string rp = sub(path, "intelRdt");
        TRY(expect_object(*r, rp,
                          {"closID", "l3CacheSchema", "memBwSchema", "enableCMT", "enableMBM"}));
        IntelRdt rdt;
        TRY(read_string(*r, "closID", rp, rdt.clos_id));
        TRY(read_string(*r, "l3CacheSchema", rp, rdt.l3_cache_schema));
        TRY(read_string(*r, "memBwSchema", rp, rdt.mem_bw_schema));
        TRY(read_bool(*r, "enableCMT", rp, rdt.enable_cmt));
        TRY(read_bool(*r, "enableMBM", rp, rdt.enable_mbm));
        e.intel_rdt = rdt;
    }
    return e;
}

Result<Device> read_device(const json& v, const std::string& path) {
    TRY(expect_object(v, path, {"name", "annotations", "containerEdits"}));
    Device dev;
    TRY(read_string(v, "name", path, dev.name, true));
    TRY(read_annotations(v, path, dev.annotations));
    if (const json* e = member(v, "containerEdits"))
        dev.edits = TRY(read_edits(*e, sub(path, "containerEdits")));
    return dev;
}

Result<Spec> read_spec(const json& v) {
    if (!v.is_object()) return fail("expected a mapping at the top level, got " + type_name(v));
    TRY(expect_object(v, "", {"cdiVersion", "kind", "annotations", "devices", "containerEdits"}));
    Spec s;
    TRY(read_string(v, "cdiVersion", "", s.version, true));
    TRY(read_string(v, "kind", "", s.kind, true));
    TRY(read_annotations(v, "", s.annotations));
    TRY(read_list(v, "devices", "", s.devices, read_device));
    if (const json* e = member(v, "containerEdits"))
        s.edits = TRY(read_edits(*e, "containerEdits"));
    return s;
}

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
    return is_letter(c) || (c >= '0' && c <= '9');
}

// Vendor and class: a letter first, then letters, digits, `_`, `-`, `.`, ending alphanumeric.
std::string vendor_or_class_problem(std::string_view name) {
    if (name.empty()) return "empty name";
    if (!is_letter(name[0])) return "`" + std::string(name) + "` must start with a letter";
    for (char c : name.substr(1))
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.')
            return "invalid character `" + std::string(1, c) + "` in `" + std::string(name) + "`";
    if (!is_alnum(name.back()))
        return "`" + std::string(name) + "` must end with a letter or digit";
    return "";
}

bool device_name_ok(std::string_view name) {
    if (name.empty() || !is_alnum(name[0]) || !is_alnum(name.back())) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == ':';
    });
}

int version_index(std::string_view v) {
    if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
    for (size_t i = 0; i < std::size(k_versions); ++i)
        if (k_versions[i] == v) return static_cast<int>(i);
    return -1;
}

Result<void> validate_env(const std::vector<std::string>& env, const std::string& path) {
    for (size_t i = 0; i < env.size(); ++i) {
        auto eq = env[i].find('=');
        if (eq == std::string::npos || eq == 0)
            return field_error(
                at(path, i), "invalid environment variable `" + env[i] + "` (expected NAME=VALUE)");
    }
    return {};
}

Result<void> validate_edits(const ContainerEdits& e, const std::string& path) {
    TRY(validate_env(e.env, sub(path, "env")));
    for (size_t i = 0; i < e.device_nodes.size(); ++i) {
        const auto& n = e.device_nodes[i];
        std::string p = at(sub(path, "deviceNodes"), i);
        if (n.path.empty()) return field_error(sub(p, "path"), "missing");
        if (!n.type.empty() && n.type != "b" && n.type != "c" && n.type != "u" && n.type != "p")
            return field_error(sub(p, "type"),
                               "invalid device type `" + n.type + "` (expected b, c, u or p)");
        for (char c : n.permissions)
            if (c != 'r' && c != 'w' && c != 'm')
                return field_error(sub(p, "permissions"), "invalid permissions `" + n.permissions +
                                                              "` (expected r, w, m)");
    }
    for (size_t i = 0; i < e.mounts.size(); ++i) {
        std::string p = at(sub(path, "mounts"), i);
        if (e.mounts[i].host_path.empty()) return field_error(sub(p, "hostPath"), "missing");
        if (e.mounts[i].container_path.empty())
            return field_error(sub(p, "containerPath"), "missing");
    }
    for (size_t i = 0; i < e.hooks.size(); ++i) {
        const auto& h = e.hooks[i];
        std::string p = at(sub(path, "hooks"), i);
        if (std::find(std::begin(k_hook_names), std::end(k_hook_names), h.hook_name) ==
            std::end(k_hook_names))
            return field_error(sub(p, "hookName"), "invalid hook name `" + h.hook_name + "`");
        if (h.path.empty() || h.path[0] != '/')
            return field_error(sub(p, "path"), "hook path `" + h.path + "` is not absolute");
        TRY(validate_env(h.env, sub(p, "env")));
        if (h.timeout && *h.timeout <= 0)
            return field_error(sub(p, "timeout"), "must be greater than zero");
    }
    if (e.intel_rdt) {
        const auto& id = e.intel_rdt->clos_id;
        if (id == "." || id == ".." || id.find('/') != std::string::npos)
            return field_error(sub(path, "intelRdt.closID"), "invalid closID `" + id + "`");
    }
    return {};
}

}  // namespace

bool ContainerEdits::empty() const {
    return env.empty() && device_nodes.empty() && mounts.empty() && hooks.empty() &&
           additional_gids.empty() && !intel_rdt;
}

void ContainerEdits::append(const ContainerEdits& o) {
    env.insert(env.end(), o.env.begin(), o.env.end());
    device_nodes.insert(device_nodes.end(), o.device_nodes.begin(), o.device_nodes.end());
    mounts.insert(mounts.end(), o.mounts.begin(), o.mounts.end());
    hooks.insert(hooks.end(), o.hooks.begin(), o.hooks.end());
    additional_gids.insert(additional_gids.end(), o.additional_gids.begin(),
                           o.additional_gids.end());
    if (o.intel_rdt) intel_rdt = o.intel_rdt;
}

std::optional<Format> format_for_path(std::string_view path) {
    auto ends = [&](std::string_view s) {
        return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
    };
    if (ends(".json")) return Format::json;
    if (ends(".yaml") || ends(".yml")) return Format::yaml;
    return std::nullopt;
}

Result<Spec> parse_spec(std::string_view text, Format format, std::string_view origin) {
    const std::string ctx = "CDI spec `" + std::string(origin) + "`";
    json doc;
    if (format == Format::yaml) {
        doc = TRY_CTX(ctx, yaml_to_json(text));
    } else {
        try {
            doc = json::parse(text.begin(), text.end());
        } catch (const json::parse_error& e) {
            std::string what = e.what();
            auto pos = what.find("parse error at ");
            what = pos == std::string::npos ? what : what.substr(pos + 15);
            return fail(ctx + ": " + what);
        }
    }
    Spec spec = TRY_CTX(ctx, read_spec(doc));
    TRY_CTX(ctx, validate_spec(spec));
    return spec;
}

Result<void> validate_kind(std::string_view kind) {
    auto slash = kind.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == kind.size())
        return fail("invalid kind `" + std::string(kind) + "`: expected vendor/class");
    std::string problem = vendor_or_class_problem(kind.substr(0, slash));
    if (problem.empty()) problem = vendor_or_class_problem(kind.substr(slash + 1));
    if (!problem.empty()) return fail("invalid kind `" + std::string(kind) + "`: " + problem);
    return {};
}

Result<void> validate_device_name(std::string_view name) {
    if (!device_name_ok(name)) return fail("invalid device name `" + std::string(name) + "`");
    return {};
}

std::string minimum_version(const Spec& spec) {
    int need = 2;  // 0.3.0
    auto require = [&](int index) { need = std::max(need, index); };
    std::vector<const ContainerEdits*> all{&spec.edits};
    for (const auto& d : spec.devices) {
        all.push_back(&d.edits);
        if (!d.name.empty() && d.name[0] >= '0' && d.name[0] <= '9') require(4);
        if (!d.annotations.empty()) require(5);
    }
    if (!spec.annotations.empty()) require(5);
    if (auto slash = spec.kind.find('/');
        slash != std::string::npos && spec.kind.find('.', slash) != std::string::npos)
        require(5);
    for (const auto* e : all) {
        for (const auto& m : e->mounts)
            if (!m.type.empty()) require(3);
        for (const auto& n : e->device_nodes)
            if (!n.host_path.empty()) require(4);
        if (e->intel_rdt || !e->additional_gids.empty()) require(6);
    }
    return std::string(k_versions[need]);
}

Result<void> validate_spec(const Spec& spec) {
    int have = version_index(spec.version);
    if (have < 0)
        return field_error("cdiVersion",
                           "unsupported version `" + spec.version + "` (known: 0.1.0 to 1.0.0)");
    std::string need = minimum_version(spec);
    if (version_index(need) > have)
        return field_error(
            "cdiVersion",
            "version " + spec.version + " is too old for the fields used (they need " + need + ")");
    if (auto k = validate_kind(spec.kind); !k) return field_error("kind", k.error().message);
    for (const auto& [key, value] : spec.annotations)
        if (key.empty()) return field_error("annotations", "empty key");
    if (spec.devices.empty()) return field_error("devices", "no devices");
    std::set<std::string_view> names;
    for (size_t i = 0; i < spec.devices.size(); ++i) {
        const auto& d = spec.devices[i];
        std::string p = at("devices", i);
        if (auto n = validate_device_name(d.name); !n)
            return field_error(sub(p, "name"), n.error().message);
        if (!names.insert(d.name).second)
            return field_error(sub(p, "name"), "duplicate device name `" + d.name + "`");
        if (d.edits.empty())
            return field_error(sub(p, "containerEdits"), "a device needs at least one edit");
        TRY(validate_edits(d.edits, sub(p, "containerEdits")));
    }
    TRY(validate_edits(spec.edits, "containerEdits"));
    return {};
}

Result<QualifiedName> parse_qualified_name(std::string_view device) {
    auto bad = [&](const std::string& why) {
        return fail("invalid CDI device `" + std::string(device) + "`: " + why);
    };
    auto eq = device.find('=');
    auto slash = device.find('/');
    if (device.empty() || device[0] == '/' || eq == std::string_view::npos ||
        slash == std::string_view::npos || slash > eq)
        return bad("expected vendor/class=name");
    QualifiedName q{std::string(device.substr(0, slash)),
                    std::string(device.substr(slash + 1, eq - slash - 1)),
                    std::string(device.substr(eq + 1))};
    if (q.vendor.empty() || q.device_class.empty() || q.name.empty())
        return bad("expected vendor/class=name");
    if (auto p = vendor_or_class_problem(q.vendor); !p.empty()) return bad("vendor " + p);
    if (auto p = vendor_or_class_problem(q.device_class); !p.empty()) return bad("class " + p);
    if (!device_name_ok(q.name)) return bad("invalid device name `" + q.name + "`");
    return q;
}

bool is_qualified_name(std::string_view device) {
    return parse_qualified_name(device).has_value();
}

}  // namespace ferry::oci::cdi
