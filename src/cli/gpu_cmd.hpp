#pragma once
// `ferry gpu ls` and `ferry gpu cdi generate`.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct GpuLsOptions : BaseOptions {
    std::string format;  // "" (table) or "json" (one object per GPU per line, as docker)
};

// Parses `ferry gpu ls` arguments.
Result<GpuLsOptions> parse_gpu_ls(Args args);
// Prints the host's NVIDIA GPUs with driver, CUDA version and CDI names.
Result<int> run_gpu_ls(const GpuLsOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_gpu_ls(Args args, Context& ctx);

struct GpuCdiGenerateOptions : BaseOptions {
    std::string output;  // "" for stdout
    std::string format;  // "json" or "yaml"; "" picks by the output's extension, else yaml
};

// Parses `ferry gpu cdi generate` arguments.
Result<GpuCdiGenerateOptions> parse_gpu_cdi_generate(Args args);
// Writes the CDI spec of the host's NVIDIA GPUs (atomically when --output is given).
Result<int> run_gpu_cdi_generate(const GpuCdiGenerateOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_gpu_cdi_generate(Args args, Context& ctx);

}  // namespace ferry::cli
