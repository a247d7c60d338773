#pragma once
// Image requirements: NVIDIA_REQUIRE_CUDA and the other NVIDIA_REQUIRE_* variables, in NVIDIA's
// grammar (libnvidia-container's dsl.c): terms `key op value` with keys cuda, driver, arch and
// brand and operators =, !=, <, <=, >, >=; a comma joins terms with AND, a space joins groups
// with OR. Every variable must hold, for every selected GPU. NVIDIA_DISABLE_REQUIRE turns the
// check off; an image with CUDA_VERSION and no NVIDIA_REQUIRE_CUDA requires cuda>=major.minor.

#include <span>
#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::gpu {

struct Requirement {
    std::string variable;   // "NVIDIA_REQUIRE_CUDA", or "CUDA_VERSION" for the legacy rule
    std::string predicate;  // "cuda>=12.4 brand=tesla,driver>=470,driver<471"
};

// The requirements the environment declares (NVIDIA_REQUIRE_JETPACK excepted, as the toolkit
// does); none when NVIDIA_DISABLE_REQUIRE is true. Fails with `invalid CUDA_VERSION `x``.
Result<std::vector<Requirement>> image_requirements(std::span<const std::string> env);

// What the requirements are checked against.
struct RequirementHost {
    std::string driver_version;     // "535.104.05"
    std::string cuda_version;       // the CUDA the container gets (host, or newer compat libs)
    std::string host_cuda_version;  // the host driver's own CUDA version, for the message
    struct Gpu {
        std::string label;  // "GPU 0 (Tesla T4)"
        std::string arch;   // "7.5"; "" when unknown (arch terms then hold, with a warning)
        std::string brand;  // "tesla"
    };
    std::vector<Gpu> gpus;  // the selected GPUs (none: arch and brand terms hold)
};

// Checks every requirement. Fails with one line naming both sides and the fix, e.g.
// `image requires CUDA >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: upgrade the
// NVIDIA driver to 550 or newer, or set NVIDIA_DISABLE_REQUIRE=1`, or for a malformed predicate
// `NVIDIA_REQUIRE_CUDA: invalid requirement `cuda>>1``.
Result<void> check_requirements(const std::vector<Requirement>& requirements,
                                const RequirementHost& host);

}  // namespace ferry::gpu
