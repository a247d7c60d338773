#pragma once
// `ferry load`: load images from a docker-archive or OCI archive (file or stdin).

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct LoadOptions : BaseOptions {
    std::string input;   // -i; empty for stdin
    bool quiet = false;  // -q: no progress bar
};

// Parses `ferry load` arguments.
Result<LoadOptions> parse_load(Args args);
// Loads the archive and prints `Loaded image: …` lines.
Result<int> run_load(const LoadOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_load(Args args, Context& ctx);

}  // namespace ferry::cli
