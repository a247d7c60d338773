// Writing the runtime specification as JSON. Keys follow config.json's names and its usual order
// (as runc's `spec` writes them); absent optional members are left out, required ones (ociVersion,
// root.path, process.user, process.args, process.cwd) are always written.

#include "ferry/oci/runtime_spec.hpp"

namespace ferry::oci {

namespace {

using Json = nlohmann::ordered_json;

template <class T>
void put_opt(Json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

void put_strings(Json& j, const char* key, const std::vector<std::string>& v) {
    if (!v.empty()) j[key] = v;
}

void put_map(Json& j, const char* key, const std::map<std::string, std::string>& m) {
    if (m.empty()) return;
    Json obj = Json::object();
    for (const auto& [k, v] : m)
        obj[k] = v;
    j[key] = std::move(obj);
}

Json capabilities_json(const Capabilities& c) {
    Json j = Json::object();
    put_strings(j, "bounding", c.bounding);
    put_strings(j, "effective", c.effective);
    put_strings(j, "inheritable", c.inheritable);
    put_strings(j, "permitted", c.permitted);
    put_strings(j, "ambient", c.ambient);
    return j;
}

Json process_json(const Process& p) {
    Json j = Json::object();
    if (p.terminal) j["terminal"] = true;
    if (p.console_size)
        j["consoleSize"] = {{"height", p.console_size->height}, {"width", p.console_size->width}};
    Json user = {{"uid", p.user.uid}, {"gid", p.user.gid}};
    put_opt(user, "umask", p.user.umask);
    if (!p.user.additional_gids.empty()) user["additionalGids"] = p.user.additional_gids;
    j["user"] = std::move(user);
    j["args"] = p.args;
    put_strings(j, "env", p.env);
    j["cwd"] = p.cwd;
    if (p.capabilities) j["capabilities"] = capabilities_json(*p.capabilities);
    if (!p.rlimits.empty()) {
        Json arr = Json::array();
        for (const auto& r : p.rlimits)
            arr.push_back({{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}});
        j["rlimits"] = std::move(arr);
    }
    if (p.no_new_privileges) j["noNewPrivileges"] = true;
    put_opt(j, "oomScoreAdj", p.oom_score_adj);
    return j;
}

Json mappings_json(const std::vector<IdMapping>& maps) {
    Json arr = Json::array();
    for (const auto& m : maps)
        arr.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
    return arr;
}

Json resources_json(const Resources& r) {
    Json j = Json::object();
    if (!r.devices.empty()) {
        Json arr = Json::array();
        for (const auto& d : r.devices) {
            Json e = {{"allow", d.allow}};
            if (!d.type.empty()) e["type"] = d.type;
            put_opt(e, "major", d.major);
            put_opt(e, "minor", d.minor);
            if (!d.access.empty()) e["access"] = d.access;
            arr.push_back(std::move(e));
        }
        j["devices"] = std::move(arr);
    }
    if (r.memory) {
        Json m = Json::object();
        put_opt(m, "limit", r.memory->limit);
        put_opt(m, "reservation", r.memory->reservation);
        put_opt(m, "swap", r.memory->swap);
        j["memory"] = std::move(m);
    }
    if (r.cpu) {
        Json c = Json::object();
        put_opt(c, "shares", r.cpu->shares);
        put_opt(c, "quota", r.cpu->quota);
        put_opt(c, "period", r.cpu->period);
        if (!r.cpu->cpus.empty()) c["cpus"] = r.cpu->cpus;
        if (!r.cpu->mems.empty()) c["mems"] = r.cpu->mems;
        j["cpu"] = std::move(c);
    }
    if (r.pids) j["pids"] = {{"limit", r.pids->limit}};
    if (r.block_io) {
        Json b = Json::object();
        put_opt(b, "weight", r.block_io->weight);
        j["blockIO"] = std::move(b);
    }
    return j;
}

Json linux_json(const Linux& l) {
    Json j = Json::object();
    if (!l.uid_mappings.empty()) j["uidMappings"] = mappings_json(l.uid_mappings);
    if (!l.gid_mappings.empty()) j["gidMappings"] = mappings_json(l.gid_mappings);
    put_map(j, "sysctl", l.sysctl);
    if (l.resources) j["resources"] = resources_json(*l.resources);
    if (!l.cgroups_path.empty()) j["cgroupsPath"] = l.cgroups_path;
    if (!l.namespaces.empty()) {
        Json arr = Json::array();
        for (const auto& ns : l.namespaces) {
            Json e = {{"type", ns.type}};
            if (!ns.path.empty()) e["path"] = ns.path;
            arr.push_back(std::move(e));
        }
        j["namespaces"] = std::move(arr);
    }
    if (!l.devices.empty()) {
        Json arr = Json::array();
        for (const auto& d : l.devices) {
            Json e = {{"path", d.path}, {"type", d.type}, {"major", d.major}, {"minor", d.minor}};
            put_opt(e, "fileMode", d.file_mode);
            put_opt(e, "uid", d.uid);
            put_opt(e, "gid", d.gid);
            arr.push_back(std::move(e));
        }
        j["devices"] = std::move(arr);
    }
    if (l.seccomp) j["seccomp"] = to_json(*l.seccomp);
    if (!l.rootfs_propagation.empty()) j["rootfsPropagation"] = l.rootfs_propagation;
    put_strings(j, "maskedPaths", l.masked_paths);
    put_strings(j, "readonlyPaths", l.readonly_paths);
    return j;
}

}  // namespace

Json to_json(const Seccomp& s) {
    Json j = {{"defaultAction", s.default_action}};
    put_opt(j, "defaultErrnoRet", s.default_errno_ret);
    put_strings(j, "architectures", s.architectures);
    if (!s.syscalls.empty()) {
        Json arr = Json::array();
        for (const auto& sc : s.syscalls) {
            Json e = {{"names", sc.names}, {"action", sc.action}};
            put_opt(e, "errnoRet", sc.errno_ret);
            if (!sc.args.empty()) {
                Json args = Json::array();
                for (const auto& a : sc.args)
                    args.push_back({{"index", a.index},
                                    {"value", a.value},
                                    {"valueTwo", a.value_two},
                                    {"op", a.op}});
                e["args"] = std::move(args);
            }
            arr.push_back(std::move(e));
        }
        j["syscalls"] = std::move(arr);
    }
    return j;
}

Json to_json(const RuntimeSpec& spec) {
    Json j = {{"ociVersion", spec.oci_version}};
    if (spec.process) j["process"] = process_json(*spec.process);
    Json root = {{"path", spec.root.path}};
    if (spec.root.readonly) root["readonly"] = true;
    j["root"] = std::move(root);
    if (!spec.hostname.empty()) j["hostname"] = spec.hostname;
    if (!spec.mounts.empty()) {
        Json arr = Json::array();
        for (const auto& m : spec.mounts) {
            Json e = {{"destination", m.destination}};
            if (!m.type.empty()) e["type"] = m.type;
            if (!m.source.empty()) e["source"] = m.source;
            put_strings(e, "options", m.options);
            arr.push_back(std::move(e));
        }
        j["mounts"] = std::move(arr);
    }
    if (spec.linux) j["linux"] = linux_json(*spec.linux);
    put_map(j, "annotations", spec.annotations);
    return j;
}

std::string to_json_text(const RuntimeSpec& spec, int indent) {
    // Invalid UTF-8 in a string is replaced rather than thrown on.
    return to_json(spec).dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ferry::oci
