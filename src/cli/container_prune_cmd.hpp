#pragma once
// `ferry container prune`: remove all stopped containers.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct ContainerPruneOptions : BaseOptions {
    bool force = false;  // -f/--force: no prompt
};

// Parses `ferry container prune` arguments.
Result<ContainerPruneOptions> parse_container_prune(Args args);
// Asks (unless -f), removes, and prints docker's report.
Result<int> run_container_prune(const ContainerPruneOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_container_prune(Args args, Context& ctx);

}  // namespace ferry::cli
