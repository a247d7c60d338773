#pragma once
// GPU set-up for one container start, as one call: `--gpus` (native NVIDIA path: discovery,
// selection, requirement checks, forward compatibility) and CDI `--device vendor/class=name`
// requests, merged into one finalized Edits with its ld.so.cache. This is what `ferry run`
// calls; it runs nothing and writes nothing.

#include <optional>
#include <string>
#include <vector>

#include "ferry/gpu/edits.hpp"
#include "ferry/gpu/host_root.hpp"
#include "ferry/gpu/rootfs_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

struct SetupRequest {
    std::optional<std::string> gpus;       // the --gpus value (the last one, as docker)
    std::vector<std::string> cdi_devices;  // --device values that are CDI names
    std::vector<std::string> env;          // the container's environment, image then -e
    const RootfsView* rootfs = nullptr;    // the container's root file system (required)
    std::vector<std::string> cdi_dirs;     // empty: /etc/cdi, /var/run/cdi
};

// Computes the edits. Nothing is done without --gpus or CDI devices (an empty Edits, no file
// read). Fails with the messages of parse_gpus, select_gpus, check_requirements and
// CdiRegistry::resolve, prefixed by `--gpus` where that adds meaning.
Result<Edits> gpu_setup(const HostRoot& host, const SetupRequest& request);

}  // namespace ferry::gpu
