// Reading the runtime specification from JSON without letting nlohmann's exceptions out: the
// text is parsed with allow_exceptions=false, and every field is type-checked before it is read.
// A Fields view over one JSON object knows its dotted path (`linux.resources.memory`), so the
// first wrong field is reported by name: `spec: field `process.args`: expected an array of
// strings`. Fields the specification has but ferry does not use are ignored, as are unknown ones.

#include <limits>

#include "ferry/oci/runtime_spec.hpp"

namespace ferry::oci {

namespace {

using Json = nlohmann::ordered_json;

std::unexpected<Error> bad(const std::string& path, std::string_view expected) {
    return fail("field `" + path + "`: expected " + std::string(expected));
}

// A typed view of one JSON object with its path for messages.
class Fields {
  public:
    Fields(const Json& obj, std::string path) : m_obj(obj), m_path(std::move(path)) {}

    std::string path(std::string_view key) const {
        return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
    }
    const Json* find(const char* key) const {
        auto it = m_obj.find(key);
        return it == m_obj.end() || it->is_null() ? nullptr : &*it;
    }

    Result<void> str(const char* key, std::string& out) const {
        const Json* v = find(key);
        if (!v) return {};
        if (!v->is_string()) return bad(path(key), "a string");
        out = v->get<std::string>();
        return {};
    }
    Result<void> boolean(const char* key, bool& out) const {
        const Json* v = find(key);
        if (!v) return {};
        if (!v->is_boolean()) return bad(path(key), "a boolean");
        out = v->get<bool>();
        return {};
    }
    template <class T>
    Result<void> uint(const char* key, T& out) const {
        const Json* v = find(key);
        if (!v) return {};
        if (!v->is_number_unsigned() || v->get<uint64_t>() > std::numeric_limits<T>::max())
            return bad(path(key),
                       "an integer from 0 to " + std::to_string(std::numeric_limits<T>::max()));
        out = static_cast<T>(v->get<uint64_t>());
        return {};
    }
    template <class T>
    Result<void> uint(const char* key, std::optional<T>& out) const {
        if (!find(key)) return {};
        T value{};
        TRY(uint(key, value));
        out = value;
        return {};
    }
    Result<void> i64(const char* key, int64_t& out) const {
        const Json* v = find(key);
        if (!v) return {};
        bool ok = v->is_number_integer() &&
                  (!v->is_number_unsigned() ||
                   v->get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max()));
        if (!ok) return bad(path(key), "an integer");
        out = v->get<int64_t>();
        return {};
    }
    Result<void> i64(const char* key, std::optional<int64_t>& out) const {
        if (!find(key)) return {};
        int64_t value = 0;
        TRY(i64(key, value));
        out = value;
        return {};
    }
    Result<void> strings(const char* key, std::vector<std::string>& out) const {
        const Json* v = find(key);
        if (!v) return {};
        if (!v->is_array()) return bad(path(key), "an array of strings");
        out.clear();
        for (const auto& e : *v) {
            if (!e.is_string()) return bad(path(key), "an array of strings");
            out.push_back(e.get<std::string>());
        }
        return {};
    }
    Result<void> string_map(const char* key, std::map<std::string, std::string>& out) const {
        const Json* v = find(key);
        if (!v) return {};
        if (!v->is_object()) return bad(path(key), "an object of strings");
        for (const auto& [k, e] : v->items()) {
            if (!e.is_string()) return bad(path(key) + "." + k, "a string");
            out[k] = e.get<std::string>();
        }
        return {};
    }
    // The object at key (nullptr when absent); fails when it is not an object.
    Result<const Json*> object(const char* key) const {
        const Json* v = find(key);
        if (v && !v->is_object()) return bad(path(key), "an object");
        return v;
    }
    // The array at key (nullptr when absent); fails when it is not an array of objects.
    Result<const Json*> objects(const char* key) const {
        const Json* v = find(key);
        if (!v) return v;
        if (!v->is_array()) return bad(path(key), "an array of objects");
        for (const auto& e : *v)
            if (!e.is_object()) return bad(path(key), "an array of objects");
        return v;
    }

  private:
    const Json& m_obj;
    std::string m_path;
};

std::string at(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

Result<void> read_user(const Fields& f, User& u) {
    TRY(f.uint("uid", u.uid));
    TRY(f.uint("gid", u.gid));
    TRY(f.uint("umask", u.umask));
    if (const Json* gids = f.find("additionalGids")) {
        if (!gids->is_array()) return bad(f.path("additionalGids"), "an array of integers");
        for (const auto& g : *gids) {
            if (!g.is_number_unsigned() || g.get<uint64_t>() > UINT32_MAX)
                return bad(f.path("additionalGids"), "an array of integers");
            u.additional_gids.push_back(static_cast<uint32_t>(g.get<uint64_t>()));
        }
    }
    return {};
}

Result<Process> read_process(const Fields& f) {
    Process p;
    TRY(f.boolean("terminal", p.terminal));
    if (const Json* cs = TRY(f.object("consoleSize"))) {
        Fields c(*cs, f.path("consoleSize"));
        ConsoleSize size;
        TRY(c.uint("height", size.height));
        TRY(c.uint("width", size.width));
        p.console_size = size;
    }
    if (const Json* u = TRY(f.object("user"))) TRY(read_user(Fields(*u, f.path("user")), p.user));
    TRY(f.strings("args", p.args));
    TRY(f.strings("env", p.env));
    TRY(f.str("cwd", p.cwd));
    if (const Json* c = TRY(f.object("capabilities"))) {
        Fields cf(*c, f.path("capabilities"));
        Capabilities caps;
        TRY(cf.strings("bounding", caps.bounding));
        TRY(cf.strings("effective", caps.effective));
        TRY(cf.strings("inheritable", caps.inheritable));
        TRY(cf.strings("permitted", caps.permitted));
        TRY(cf.strings("ambient", caps.ambient));
        p.capabilities = std::move(caps);
    }
    if (const Json* rl = TRY(f.objects("rlimits"))) {
        for (size_t i = 0; i < rl->size(); ++i) {
            Fields r((*rl)[i], at(f.path("rlimits"), i));
            Rlimit limit;
            TRY(r.str("type", limit.type));
            TRY(r.uint("hard", limit.hard));
            TRY(r.uint("soft", limit.soft));
            p.rlimits.push_back(std::move(limit));
        }
    }
    TRY(f.boolean("noNewPrivileges", p.no_new_privileges));
    std::optional<int64_t> oom;
    auto oom_read = f.i64("oomScoreAdj", oom);
    if (!oom_read || (oom && (*oom < -1000 || *oom > 1000)))
        return bad(f.path("oomScoreAdj"), "an integer from -1000 to 1000");
    if (oom) p.oom_score_adj = static_cast<int>(*oom);
    return p;
}

Result<std::vector<IdMapping>> read_mappings(const Fields& f, const char* key) {
    std::vector<IdMapping> out;
    const Json* arr = TRY(f.objects(key));
    if (!arr) return out;
    for (size_t i = 0; i < arr->size(); ++i) {
        Fields m((*arr)[i], at(f.path(key), i));
        IdMapping map;
        TRY(m.uint("containerID", map.container_id));
        TRY(m.uint("hostID", map.host_id));
        TRY(m.uint("size", map.size));
        out.push_back(map);
    }
    return out;
}

Result<Resources> read_resources(const Fields& f) {
    Resources r;
    if (const Json* devs = TRY(f.objects("devices"))) {
        for (size_t i = 0; i < devs->size(); ++i) {
            Fields d((*devs)[i], at(f.path("devices"), i));
            DeviceRule rule;
            TRY(d.boolean("allow", rule.allow));
            TRY(d.str("type", rule.type));
            TRY(d.i64("major", rule.major));
            TRY(d.i64("minor", rule.minor));
            TRY(d.str("access", rule.access));
            r.devices.push_back(std::move(rule));
        }
    }
    if (const Json* m = TRY(f.object("memory"))) {
        Fields mf(*m, f.path("memory"));
        MemoryResources mem;
        TRY(mf.i64("limit", mem.limit));
        TRY(mf.i64("swap", mem.swap));
        TRY(mf.i64("reservation", mem.reservation));
        r.memory = mem;
    }
    if (const Json* c = TRY(f.object("cpu"))) {
        Fields cf(*c, f.path("cpu"));
        CpuResources cpu;
        TRY(cf.uint("shares", cpu.shares));
        TRY(cf.i64("quota", cpu.quota));
        TRY(cf.uint("period", cpu.period));
        TRY(cf.str("cpus", cpu.cpus));
        TRY(cf.str("mems", cpu.mems));
        r.cpu = std::move(cpu);
    }
    if (const Json* p = TRY(f.object("pids"))) {
        PidsResources pids;
        TRY(Fields(*p, f.path("pids")).i64("limit", pids.limit));
        r.pids = pids;
    }
    if (const Json* b = TRY(f.object("blockIO"))) {
        BlockIoResources bio;
        TRY(Fields(*b, f.path("blockIO")).uint("weight", bio.weight));
        r.block_io = bio;
    }
    return r;
}

Result<void> read_namespaces_and_devices(const Fields& f, Linux& l) {
    if (const Json* nss = TRY(f.objects("namespaces"))) {
        for (size_t i = 0; i < nss->size(); ++i) {
            Fields n((*nss)[i], at(f.path("namespaces"), i));
            Namespace ns;
            TRY(n.str("type", ns.type));
            TRY(n.str("path", ns.path));
            l.namespaces.push_back(std::move(ns));
        }
    }
    if (const Json* devs = TRY(f.objects("devices"))) {
        for (size_t i = 0; i < devs->size(); ++i) {
            Fields d((*devs)[i], at(f.path("devices"), i));
            Device dev;
            TRY(d.str("path", dev.path));
            TRY(d.str("type", dev.type));
            TRY(d.i64("major", dev.major));
            TRY(d.i64("minor", dev.minor));
            TRY(d.uint("fileMode", dev.file_mode));
            TRY(d.uint("uid", dev.uid));
            TRY(d.uint("gid", dev.gid));
            l.devices.push_back(std::move(dev));
        }
    }
    return {};
}

Result<Linux> read_linux(const Fields& f) {
    Linux l;
    TRY(read_namespaces_and_devices(f, l));
    l.uid_mappings = TRY(read_mappings(f, "uidMappings"));
    l.gid_mappings = TRY(read_mappings(f, "gidMappings"));
    if (const Json* r = TRY(f.object("resources")))
        l.resources = TRY(read_resources(Fields(*r, f.path("resources"))));
    TRY(f.str("cgroupsPath", l.cgroups_path));
    TRY(f.string_map("sysctl", l.sysctl));
    if (const Json* s = TRY(f.object("seccomp")))
        l.seccomp = TRY(seccomp_from_json(*s, f.path("seccomp")));
    TRY(f.strings("maskedPaths", l.masked_paths));
    TRY(f.strings("readonlyPaths", l.readonly_paths));
    TRY(f.str("rootfsPropagation", l.rootfs_propagation));
    return l;
}

Result<RuntimeSpec> read_spec(const Json& json) {
    if (!json.is_object()) return fail("expected a JSON object");
    Fields f(json, "");
    RuntimeSpec spec;
    spec.oci_version.clear();
    TRY(f.str("ociVersion", spec.oci_version));
    if (spec.oci_version.empty()) return fail("field `ociVersion`: missing");
    if (const Json* p = TRY(f.object("process")))
        spec.process = TRY(read_process(Fields(*p, "process")));
    if (const Json* r = TRY(f.object("root"))) {
        Fields rf(*r, "root");
        TRY(rf.str("path", spec.root.path));
        TRY(rf.boolean("readonly", spec.root.readonly));
    }
    TRY(f.str("hostname", spec.hostname));
    if (const Json* ms = TRY(f.objects("mounts"))) {
        for (size_t i = 0; i < ms->size(); ++i) {
            Fields m((*ms)[i], at("mounts", i));
            Mount mount;
            TRY(m.str("destination", mount.destination));
            if (mount.destination.empty()) return bad(at("mounts", i) + ".destination", "a path");
            TRY(m.str("type", mount.type));
            TRY(m.str("source", mount.source));
            TRY(m.strings("options", mount.options));
            spec.mounts.push_back(std::move(mount));
        }
    }
    if (const Json* l = TRY(f.object("linux"))) spec.linux = TRY(read_linux(Fields(*l, "linux")));
    TRY(f.string_map("annotations", spec.annotations));
    return spec;
}

}  // namespace

Result<Seccomp> seccomp_from_json(const Json& json, std::string_view where) {
    if (!json.is_object()) return bad(std::string(where), "an object");
    Fields f(json, std::string(where));
    Seccomp s;
    TRY(f.str("defaultAction", s.default_action));
    if (s.default_action.empty()) return fail("field `" + f.path("defaultAction") + "`: missing");
    TRY(f.uint("defaultErrnoRet", s.default_errno_ret));
    TRY(f.strings("architectures", s.architectures));
    const Json* calls = TRY(f.objects("syscalls"));
    if (!calls) return s;
    for (size_t i = 0; i < calls->size(); ++i) {
        std::string path = at(f.path("syscalls"), i);
        Fields c((*calls)[i], path);
        SeccompSyscall sc;
        TRY(c.strings("names", sc.names));
        TRY(c.str("action", sc.action));
        if (sc.action.empty()) return fail("field `" + c.path("action") + "`: missing");
        TRY(c.uint("errnoRet", sc.errno_ret));
        if (const Json* args = TRY(c.objects("args"))) {
            for (size_t k = 0; k < args->size(); ++k) {
                Fields a((*args)[k], at(c.path("args"), k));
                SeccompArg arg;
                TRY(a.uint("index", arg.index));
                TRY(a.uint("value", arg.value));
                TRY(a.uint("valueTwo", arg.value_two));
                TRY(a.str("op", arg.op));
                sc.args.push_back(std::move(arg));
            }
        }
        s.syscalls.push_back(std::move(sc));
    }
    return s;
}

Result<RuntimeSpec> runtime_spec_from_json(const Json& json) {
    auto spec = read_spec(json);
    if (!spec) return std::unexpected(std::move(spec.error()).prefix("spec"));
    return spec;
}

Result<RuntimeSpec> parse_runtime_spec(std::string_view text) {
    Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return fail("spec: invalid JSON");
    return runtime_spec_from_json(json);
}

}  // namespace ferry::oci
