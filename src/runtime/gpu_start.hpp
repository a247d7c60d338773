#pragma once
// GPUs at container start. `ferry run --gpus ...` and `--device vendor/class=name` are recorded
// with the container; at every start, before the container process is cloned, the supervisor
// computes the GPU edits (gpu::gpu_setup: discovery, selection, requirement checks, CDI) against
// the container's file system as the overlay will show it (its upper directory over the image's
// layers, read through LayerView: nothing is mounted and nothing of the image runs) and turns
// them into what the runtime already knows how to do:
//   - the GPU layer (gpu_layer.hpp, shared by the starts that need the same one) on top of the
//     image's layers: mount targets, symlinks, the container's ld.so.cache;
//   - read-only bind mounts of the driver files, onto those targets;
//   - device nodes: rootful, linux.devices (made with mknod) plus allow rules for the device
//     cgroup; rootless, bind mounts of the host's nodes (a user namespace cannot mknod);
//   - environment variables and additional groups.
// A container without GPUs costs nothing here: wants_gpus is false and nothing is read.

#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/devices.hpp"
#include "ferry/runtime/rootfs.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct GpuStart {
    std::string gpus;                        // the --gpus value; "" for none
    std::vector<std::string> cdi_devices;    // --device vendor/class=name values
    std::string layers_dir;                  // where GPU layers are kept (run root)
    DeviceMode devices = DeviceMode::mknod;  // bind: rootless
};

// Whether g asks for any GPU or CDI device.
bool wants_gpus(const GpuStart& g);

// Computes the edits for g against overlay's file system and applies them to spec and overlay
// (see above); the host is gpu::default_host_root_path() (FERRY_HOST_ROOT in tests). Fails with
// the set-up's one-line messages, e.g. `could not select device driver "" with capabilities:
// [[gpu]]: no NVIDIA driver is loaded (no /proc/driver/nvidia/version)` or `image requires CUDA
// >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: upgrade the NVIDIA driver to 550 or
// newer, or set NVIDIA_DISABLE_REQUIRE=1`.
Result<void> apply_gpus(const GpuStart& g, oci::RuntimeSpec& spec, OverlaySpec& overlay);

}  // namespace ferry::runtime
