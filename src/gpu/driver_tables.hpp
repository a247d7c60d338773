#pragma once
// What ferry knows about NVIDIA drivers without running any of their code: which libraries and
// binaries make up each capability group (libnvidia-container's lists), which CUDA version each
// driver branch supports, and the brand and compute capability of a GPU model.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ferry/gpu/capabilities.hpp"

namespace ferry::gpu {

// A driver library: ld.so.cache names starting with `prefix` followed by `.` or the end
// ("libcuda.so" matches "libcuda.so.1"), injected when the container asks for any of `wanted_by`.
struct DriverLibrary {
    std::string_view prefix;
    Capabilities wanted_by;
};

// A driver binary, mounted at /usr/bin/<name>.
struct DriverBinary {
    std::string_view name;
    Capabilities wanted_by;
};

// The driver libraries, utility first (libnvidia-container's utility, compute, video, graphics,
// glvnd and ngx lists).
std::span<const DriverLibrary> driver_libraries();
// The driver binaries (utility and compute).
std::span<const DriverBinary> driver_binaries();
// The library of the table that an ld.so.cache name belongs to; null when none.
const DriverLibrary* driver_library_for(std::string_view soname);

// The directories searched (inside the host root) for driver binaries, in order.
std::span<const std::string_view> binary_search_dirs();

// The highest CUDA version a driver supports ("12.2" for 535.104.05), from the driver branch;
// for a branch newer than the table, the newest CUDA the table knows. nullopt when the version
// does not parse or is older than the table (CUDA 8).
std::optional<std::string> cuda_version_for_driver(std::string_view driver_version);
// The oldest driver branch ("550") supporting CUDA version cuda ("12.4"); nullopt when no branch
// in the table does.
std::optional<std::string> driver_branch_for_cuda(std::string_view cuda);

// The brand NVML would report for a model name ("Tesla T4" → "tesla", "NVIDIA GeForce RTX 3090"
// → "geforce", "NVIDIA H100 80GB HBM3" → "nvidia"); a heuristic on the name.
std::string brand_for_model(std::string_view model);
// The compute capability of a model ("8.0" for A100); "" when the model is not in the table.
std::string arch_for_model(std::string_view model);

// Compares two dotted version numbers numerically ("12.10" > "12.9"; "12" == "12.0"); nullopt
// when either is not made of digits and dots. Returns <0, 0 or >0.
std::optional<int> compare_versions(std::string_view a, std::string_view b);

}  // namespace ferry::gpu
