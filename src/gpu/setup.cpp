// gpu_setup as a list of steps:
//   1. --gpus: parse (docker's grammar), discover the driver, select GPUs and capabilities
//      (NVIDIA_VISIBLE_DEVICES narrows, NVIDIA_DRIVER_CAPABILITIES picks), find the image's
//      forward-compatibility libraries, check NVIDIA_REQUIRE_* against the CUDA the container
//      will get, and build the native edits;
//   2. CDI devices: load /etc/cdi and /var/run/cdi; if nvidia.com/gpu is requested and no file
//      provides it, the spec generate_nvidia_cdi would write serves; resolve; make the mount
//      targets canonical in the rootfs; turn NVIDIA's hooks into what they do (cdi_hooks.hpp);
//   3. merge, finalize (device numbers, host paths, cgroup rules), build the ld.so.cache.

#include "ferry/gpu/setup.hpp"

#include <algorithm>

#include "ferry/gpu/cdi.hpp"
#include "ferry/gpu/cdi_hooks.hpp"
#include "ferry/gpu/cuda_compat.hpp"
#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/gpu_request.hpp"
#include "ferry/gpu/nvidia_edits.hpp"
#include "ferry/gpu/requirements.hpp"
#include "ferry/gpu/selection.hpp"

namespace ferry::gpu {

namespace {

Result<Edits> nvidia_setup(const SetupRequest& req, const NvidiaHost& nvidia) {
    GpuRequest gpus = TRY(parse_gpus(*req.gpus));
    GpuSelection sel = TRY(select_gpus(nvidia, gpus, req.env));
    if (!sel.active) return Edits{};
    auto compat = find_cuda_compat(*req.rootfs, nvidia, sel.gpus);
    RequirementHost rh;
    rh.driver_version = nvidia.driver_version;
    rh.host_cuda_version = nvidia.cuda_version;
    rh.cuda_version = compat ? compat->cuda_version : nvidia.cuda_version;
    for (size_t g : sel.gpus) {
        const Gpu& gpu = nvidia.gpus[g];
        rh.gpus.push_back(
            {"GPU " + std::to_string(gpu.index) + " (" + gpu.model + ")", gpu.arch, gpu.brand});
    }
    auto requirements = TRY(image_requirements(req.env));
    TRY(check_requirements(requirements, rh));
    return nvidia_edits(nvidia, sel, *req.rootfs, compat);
}

}  // namespace

Result<Edits> gpu_setup(const HostRoot& host, const SetupRequest& req) {
    Edits edits;
    if (!req.gpus && req.cdi_devices.empty()) return edits;
    if (!req.rootfs) return fail("gpu set-up: no rootfs");
    std::optional<NvidiaHost> nvidia;
    if (req.gpus) {
        nvidia = TRY(discover_nvidia(host));
        edits.append(TRY(nvidia_setup(req, *nvidia)));
    }
    if (!req.cdi_devices.empty()) {
        CdiRegistry registry =
            CdiRegistry::load(host, req.cdi_dirs.empty() ? default_cdi_dirs() : req.cdi_dirs);
        bool wants_nvidia =
            std::any_of(req.cdi_devices.begin(), req.cdi_devices.end(), [](const std::string& d) {
                return d.starts_with(std::string(k_nvidia_cdi_kind) + "=");
            });
        if (wants_nvidia && !registry.has_kind(k_nvidia_cdi_kind)) {
            if (!nvidia) nvidia = TRY(discover_nvidia(host));
            if (nvidia->driver_loaded)
                registry.add_fallback(TRY(generate_nvidia_cdi(*nvidia)), "generated");
        }
        Edits cdi = TRY(registry.resolve(req.cdi_devices));
        for (auto& m : cdi.cdi.mounts)
            m.container_path = TRY(canonical_container_path(*req.rootfs, m.container_path));
        TRY(interpret_cdi_hooks(cdi, *req.rootfs));
        edits.append(cdi);
    }
    TRY(finalize_edits(edits, host));
    TRY(container_ld_cache(edits, *req.rootfs));
    return edits;
}

}  // namespace ferry::gpu
