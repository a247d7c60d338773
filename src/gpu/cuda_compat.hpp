#pragma once
// CUDA forward compatibility: an image built on a newer CUDA than the host driver supports can
// carry NVIDIA's cuda-compat libraries (/usr/local/cuda/compat/libcuda.so.<version> and
// friends), which run a newer CUDA on an older driver branch on data-center GPUs. ferry uses them
// by pointing the container's ld.so.cache at them instead of at the host's libcuda (the host
// libraries stay mounted; only the names the compat directory provides are redirected).

#include <optional>
#include <string>
#include <vector>

#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/ld_cache.hpp"
#include "ferry/gpu/rootfs_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

struct CudaCompat {
    std::string dir;                    // canonical container path of the compat directory
    std::string driver_version;         // of the compat libcuda ("550.54.15")
    std::string cuda_version;           // the CUDA it provides ("12.4")
    std::vector<LdCacheEntry> entries;  // library names → files in dir
};

// Finds the image's compat libraries and decides whether to use them: exactly one
// libcuda.so.X.Y[.Z] in /usr/local/cuda/compat (resolved inside the rootfs), providing a newer
// CUDA than the host driver (from its ELF note `.note.cuda.fwd_compatibility` when present,
// else from its driver branch) on a newer branch, and no selected GPU a GeForce or TITAN (where
// NVIDIA does not support forward compatibility). nullopt when not to be used; never fails on a
// malformed image, which just does not get compat libraries.
std::optional<CudaCompat> find_cuda_compat(const RootfsView& rootfs, const NvidiaHost& host,
                                           const std::vector<size_t>& gpus);

// The "CUDA Version" of the `.note.cuda.fwd_compatibility` ELF note of the 64-bit little-endian
// library open at fd; "" when there is none.
std::string compat_note_cuda_version(int fd);

}  // namespace ferry::gpu
