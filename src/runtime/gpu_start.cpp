// apply_gpus as a list of steps: open the host root and a LayerView of the container's upper
// directory over its image layers; gpu_setup against them (all the GPU logic and its errors);
// find or build the GPU layer and put it on top of the image's layers; add the mounts, device
// nodes, device cgroup rules, environment and groups to the spec. The spec is the supervisor's copy
// for this start only: nothing GPU-related is stored with the container but the request itself, so
// the next start sees the driver as it is then.

#include "ferry/runtime/gpu_start.hpp"

#include <unistd.h>

#include <algorithm>

#include "ferry/gpu/host_root.hpp"
#include "ferry/gpu/setup.hpp"
#include "ferry/runtime/gpu_layer.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/log.hpp"

namespace ferry::runtime {

namespace {

// The container's file system as gpu_setup reads it: LayerView's merged tree.
class LayerRootfs final : public gpu::RootfsView {
  public:
    explicit LayerRootfs(const LayerView& view) : m_view(view) {}

    Result<std::optional<std::string>> directory(std::string_view path) const override {
        auto found = TRY(m_view.lookup(path));
        if (!found || !S_ISDIR(found->st.st_mode)) return std::nullopt;
        return std::optional<std::string>(std::move(found->path));
    }
    Result<std::optional<Fd>> open_file(std::string_view path) const override {
        return m_view.open_file(path);
    }
    Result<std::optional<std::vector<std::string>>> list(std::string_view path) const override {
        auto dir = TRY(m_view.open_dir(path));
        if (!dir) return std::nullopt;
        std::vector<std::string> names;
        for (auto& [name, entry] : TRY(m_view.list(*dir)))
            names.push_back(std::move(name));
        return std::optional<std::vector<std::string>>(std::move(names));
    }

  private:
    const LayerView& m_view;
};

std::string_view env_key(std::string_view kv) {
    return kv.substr(0, kv.find('='));
}

// CDI's rule: a variable the edits set replaces the container's of the same name.
void set_env(std::vector<std::string>& env, const std::vector<std::string>& edits) {
    for (const auto& e : edits) {
        std::erase_if(env, [&](const std::string& x) { return env_key(x) == env_key(e); });
        env.push_back(e);
    }
}

void add_devices(const gpu::Edits& e, DeviceMode mode, oci::RuntimeSpec& spec) {
    oci::Linux& linux = *spec.linux;
    for (const auto& n : e.cdi.device_nodes) {
        if (mode == DeviceMode::bind) {
            // Only root can make a node the host never created (nvidia-uvm appears on first
            // use, made by nvidia-modprobe).
            if (::access(n.host_path.c_str(), F_OK) != 0) {
                log::warn("`" + n.host_path + "` does not exist on the host: a rootless " +
                          "container cannot have it (nvidia-modprobe, run as root, makes the " +
                          "NVIDIA nodes)");
                continue;
            }
            spec.mounts.push_back({n.path, "bind", n.host_path, {"bind", "nosuid"}});
            continue;
        }
        linux.devices.push_back(
            {n.path, n.type, n.major.value_or(0), n.minor.value_or(0), n.file_mode, n.uid, n.gid});
    }
    if (!linux.resources) linux.resources = oci::Resources{};
    for (const auto& r : e.device_rules)
        linux.resources->devices.push_back(
            {true, std::string(1, r.type), r.major, r.minor, r.access});
}

void add_mounts(const gpu::Edits& e, oci::RuntimeSpec& spec) {
    for (const auto& m : e.cdi.mounts) {
        std::vector<std::string> options = m.options;
        std::string type = m.type.empty() ? "bind" : m.type;
        if (type == "bind" && std::find(options.begin(), options.end(), "bind") == options.end() &&
            std::find(options.begin(), options.end(), "rbind") == options.end())
            options.push_back("bind");
        spec.mounts.push_back({m.container_path, type, m.host_path, std::move(options)});
    }
}

}  // namespace

bool wants_gpus(const GpuStart& g) {
    return !g.gpus.empty() || !g.cdi_devices.empty();
}

Result<void> apply_gpus(const GpuStart& g, oci::RuntimeSpec& spec, OverlaySpec& overlay) {
    if (!wants_gpus(g)) return {};
    if (!spec.process || !spec.linux) return fail("spec: no process or linux section");
    gpu::HostRoot host = TRY(gpu::HostRoot::open(gpu::default_host_root_path()));
    std::vector<std::string> layers = overlay.lower_dirs;
    if (!overlay.upper_dir.empty()) layers.insert(layers.begin(), overlay.upper_dir);
    LayerView view = TRY(LayerView::open(layers));
    LayerRootfs rootfs(view);

    gpu::SetupRequest req;
    if (!g.gpus.empty()) req.gpus = g.gpus;
    req.cdi_devices = g.cdi_devices;
    req.env = spec.process->env;
    req.rootfs = &rootfs;
    gpu::Edits e = TRY(gpu::gpu_setup(host, req));
    log::trace("gpu: edits computed");
    if (e.empty()) return {};

    LayerOwners owners = ::geteuid() == 0 ? LayerOwners::copy : LayerOwners::own;
    std::string layer = TRY(gpu_layer(g.layers_dir, e, view, overlay.upper_dir, owners));
    if (!layer.empty()) overlay.lower_dirs.insert(overlay.lower_dirs.begin(), layer);
    add_mounts(e, spec);
    add_devices(e, g.devices, spec);
    set_env(spec.process->env, e.cdi.env);
    for (uint32_t gid : e.cdi.additional_gids) {
        auto& gids = spec.process->user.additional_gids;
        if (gid != 0 && std::find(gids.begin(), gids.end(), gid) == gids.end()) gids.push_back(gid);
    }
    log::trace("gpu: applied");
    return {};
}

}  // namespace ferry::runtime
