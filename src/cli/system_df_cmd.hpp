#pragma once
// `ferry system df`: disk usage of the store.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct SystemDfOptions : BaseOptions {
    bool verbose = false;  // -v: one row per image
    std::string format;    // --format: "", "json", or a template
};

// Parses `ferry system df` arguments.
Result<SystemDfOptions> parse_system_df(Args args);
// Prints TYPE TOTAL ACTIVE SIZE RECLAIMABLE as docker does.
Result<int> run_system_df(const SystemDfOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_system_df(Args args, Context& ctx);

}  // namespace ferry::cli
