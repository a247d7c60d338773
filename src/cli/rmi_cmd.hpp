#pragma once
// `ferry rmi` / `ferry image rm`: remove images.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct RmiOptions : BaseOptions {
    bool force = false;    // -f
    bool no_prune = false; // --no-prune: accepted for compatibility (no parent images here)
    std::vector<std::string> images;
};

// Parses `ferry rmi` arguments.
Result<RmiOptions> parse_rmi(Args args);
// Removes each image; prints docker's Untagged/Deleted lines. Keeps going after a failure and
// ends with status 125 when any failed.
Result<int> run_rmi(const RmiOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_rmi(Args args, Context& ctx);

}  // namespace ferry::cli
