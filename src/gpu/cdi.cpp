// CDI generation and resolution. The generated NVIDIA spec describes the host as discovery saw
// it, with host paths as container paths (as nvidia-ctk does) and every device number spelled
// out, so it needs neither hooks nor the host's nodes to be resolved. The registry follows CDI's
// reference cache: directories in increasing priority, files in name order, spec-wide edits
// applied once per spec, unresolvable devices reported together.

#include "ferry/gpu/cdi.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

using oci::cdi::DeviceNode;

DeviceNode spec_node(const std::string& path, int64_t major, int64_t minor) {
    DeviceNode n;
    n.path = path;
    n.type = "c";
    n.major = major;
    n.minor = minor;
    n.permissions = "rw";
    return n;
}

std::string dir_of(const std::string& p) {
    return p.substr(0, p.rfind('/'));
}
std::string base_of(const std::string& p) {
    return p.substr(p.rfind('/') + 1);
}

}  // namespace

Result<oci::cdi::Spec> generate_nvidia_cdi(const NvidiaHost& host) {
    if (!host.driver_loaded)
        return fail("no NVIDIA driver is loaded (no /proc/driver/nvidia/version)");
    oci::cdi::Spec spec;
    spec.kind = std::string(k_nvidia_cdi_kind);
    oci::cdi::Device all{"all", {}, {}};
    for (const auto& g : host.gpus) {
        DeviceNode n = spec_node("/dev/nvidia" + std::to_string(g.minor), k_nvidia_major, g.minor);
        oci::cdi::Device by_index{std::to_string(g.index), {}, {}};
        by_index.edits.device_nodes.push_back(n);
        oci::cdi::Device by_uuid{g.uuid, {}, {}};
        by_uuid.edits.device_nodes.push_back(n);
        spec.devices.push_back(std::move(by_index));
        spec.devices.push_back(std::move(by_uuid));
        all.edits.device_nodes.push_back(n);
    }
    if (!host.gpus.empty()) spec.devices.push_back(std::move(all));

    auto& e = spec.edits;
    e.env.push_back("NVIDIA_VISIBLE_DEVICES=void");
    for (const auto& d : host.control_devices)
        e.device_nodes.push_back(spec_node(d.path, d.major, d.minor));
    const std::vector<std::string> ro = {"ro", "nosuid", "nodev", "bind"};
    for (const auto& lib : host.libraries) {
        e.mounts.push_back({lib.path, lib.path, "", ro});
        for (const auto& name : lib.names)
            if (name != base_of(lib.path))
                e.mounts.push_back({lib.path, dir_of(lib.path) + "/" + name, "", ro});
    }
    for (const auto& bin : host.binaries)
        e.mounts.push_back({bin.path, bin.path, "", ro});
    for (const auto& f : host.files)
        e.mounts.push_back({f.path, f.container, "", {"ro", "nosuid", "nodev", "noexec", "bind"}});
    spec.version = oci::cdi::minimum_version(spec);
    TRY(oci::cdi::validate_spec(spec));
    return spec;
}

std::vector<std::string> default_cdi_dirs() {
    return {"/etc/cdi", "/var/run/cdi"};
}

CdiRegistry CdiRegistry::load(const HostRoot& host, const std::vector<std::string>& dirs) {
    CdiRegistry reg;
    for (size_t i = 0; i < dirs.size(); ++i) {
        auto names = host.list(dirs[i]);
        if (!names) {
            if (names.error().sys_errno != ENOENT)
                reg.m_errors.push_back("CDI directory `" + dirs[i] + "`: " + names.error().message);
            continue;
        }
        std::sort(names->begin(), names->end());
        for (const auto& name : *names) {
            auto format = oci::cdi::format_for_path(name);
            if (!format) continue;
            std::string path = dirs[i] + "/" + name;
            auto text = host.read(path, 4u << 20);
            if (!text) {
                reg.m_errors.push_back("CDI spec `" + path + "`: " + text.error().message);
                continue;
            }
            auto spec = oci::cdi::parse_spec(*text, *format, path);
            if (!spec) {
                reg.m_errors.push_back(spec.error().message);
                continue;
            }
            reg.m_specs.push_back({std::move(*spec), path, static_cast<int>(i)});
        }
    }
    return reg;
}

void CdiRegistry::add_fallback(oci::cdi::Spec spec, std::string origin) {
    m_specs.push_back({std::move(spec), std::move(origin), -1});
}

bool CdiRegistry::has_kind(std::string_view kind) const {
    return std::any_of(m_specs.begin(), m_specs.end(),
                       [&](const Entry& e) { return e.spec.kind == kind; });
}

std::vector<std::string> CdiRegistry::device_names() const {
    std::set<std::string> names;
    for (const auto& e : m_specs)
        for (const auto& d : e.spec.devices)
            names.insert(e.spec.kind + "=" + d.name);
    return {names.begin(), names.end()};
}

Result<Edits> CdiRegistry::resolve(std::span<const std::string> devices) const {
    Edits out;
    std::vector<std::string> unresolved;
    std::set<const Entry*> applied;
    for (const auto& request : devices) {
        auto q = TRY(oci::cdi::parse_qualified_name(request));
        const Entry* best = nullptr;
        const oci::cdi::Device* device = nullptr;
        const Entry* rival = nullptr;
        for (const auto& e : m_specs) {
            if (e.spec.kind != q.kind()) continue;
            for (const auto& d : e.spec.devices) {
                if (d.name != q.name) continue;
                if (!best || e.priority > best->priority) {
                    best = &e, device = &d, rival = nullptr;
                } else if (e.priority == best->priority) {
                    rival = &e;
                }
            }
        }
        if (rival)
            return fail("CDI device injection failed: conflicting CDI device " + q.str() +
                        " (defined by `" + best->origin + "` and `" + rival->origin + "`)");
        if (!best) {
            unresolved.push_back(request);
            continue;
        }
        if (applied.insert(best).second) out.cdi.append(best->spec.edits);
        out.cdi.append(device->edits);
    }
    if (!unresolved.empty()) {
        std::string msg =
            "CDI device injection failed: unresolvable CDI devices " + join(unresolved, ", ");
        if (!m_errors.empty()) msg += " (" + join(m_errors, "; ") + ")";
        return fail(msg);
    }
    return out;
}

}  // namespace ferry::gpu
