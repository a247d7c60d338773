#pragma once
// The native NVIDIA path: from a discovered host and a GPU selection to Edits — the selected
// /dev/nvidiaN nodes plus the control nodes, read-only bind mounts of the driver files of the
// selected capability groups at the paths the image's distribution expects, the soname symlinks,
// and the image's CUDA forward-compatibility libraries when they apply.

#include <optional>

#include "ferry/gpu/cuda_compat.hpp"
#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/edits.hpp"
#include "ferry/gpu/rootfs_view.hpp"
#include "ferry/gpu/selection.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

// The image's library directory for this machine, canonical inside the rootfs: the first that
// exists of /usr/lib/x86_64-linux-gnu (Debian, Ubuntu), /usr/lib64 (RHEL-likes, SUSE) and
// /usr/lib (with the aarch64 and i386 equivalents). An image symlink is followed inside the
// rootfs only, so the result is always a directory of the container.
Result<std::string> image_library_dir(const RootfsView& rootfs, bool lib32 = false);

// The edits for sel (empty when sel is not active). Host paths are in-root (finalize_edits
// turns them into real ones). Fails only on rootfs lookups that fail for another reason than a
// missing path.
Result<Edits> nvidia_edits(const NvidiaHost& host, const GpuSelection& sel,
                           const RootfsView& rootfs, const std::optional<CudaCompat>& compat);

}  // namespace ferry::gpu
