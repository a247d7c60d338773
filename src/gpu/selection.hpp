#pragma once
// Which GPUs and which driver capabilities a container gets. `--gpus` decides (no GPU is ever
// given without it); then the container's NVIDIA_VISIBLE_DEVICES (all, none, void, indices,
// UUIDs, bus ids) can only narrow that set, and NVIDIA_DRIVER_CAPABILITIES picks the groups of
// driver files (default utility,compute), unless `--gpus capabilities=` named them, which wins
// as it does in docker.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/gpu/capabilities.hpp"
#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/gpu_request.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

struct GpuSelection {
    bool active = false;           // false: no NVIDIA set-up at all (count 0, or `void`)
    std::vector<size_t> gpus;      // indices into NvidiaHost::gpus, in request order
    Capabilities caps;             // the groups of driver files to inject
    std::vector<std::string> env;  // NVIDIA_VISIBLE_DEVICES=..., as docker sets them
};

// The last value of name in env ("NAME=value" entries, later ones win); nullopt when unset.
std::optional<std::string> env_value(std::span<const std::string> env, std::string_view name);

// Whether the image is a "legacy" CUDA image: CUDA_VERSION set, NVIDIA_REQUIRE_CUDA not.
bool is_legacy_cuda_image(std::span<const std::string> env);

// What `--runtime nvidia` (nvidia-docker 2) gives a container whose environment is env, as a
// --gpus value: "all" when NVIDIA_VISIBLE_DEVICES is set to anything but empty or `void`, or
// when it is unset in a legacy CUDA image (the toolkit's defaults); "" (no GPU) otherwise. The
// variable then narrows "all" to the devices it lists, as the toolkit's hook would.
std::string nvidia_runtime_gpus(std::span<const std::string> env);

// Resolves a request against the host. Fails with docker's daemon errors
// (`cannot set both Count and DeviceIDs on device request`, `could not select device driver ""
// with capabilities: [[foo gpu]]`) or with ferry's: `--gpus: no GPU `7` on this host (GPUs: 0,
// 1)`, `--gpus 3: this host has 2 GPUs`, `NVIDIA_VISIBLE_DEVICES=2 leaves none of the GPUs given
// by --gpus (0, 1)`.
Result<GpuSelection> select_gpus(const NvidiaHost& host, const GpuRequest& request,
                                 std::span<const std::string> env);

// The GPU an identifier names: an index ("0"), a UUID ("GPU-…", case-insensitive, or a unique
// prefix of one) or a PCI bus id ("0000:3b:00.0" or "00000000:3B:00.0"); nullopt when none.
std::optional<size_t> find_gpu(const NvidiaHost& host, std::string_view id);

}  // namespace ferry::gpu
