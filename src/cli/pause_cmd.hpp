#pragma once
// `ferry pause` and `ferry unpause`: freeze and thaw every process of containers.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct PauseOptions : BaseOptions {
    std::vector<std::string> containers;
};

// Parses `ferry pause` arguments.
Result<PauseOptions> parse_pause(Args args);
// Pauses each container, printing its name as given; docker's error for each that fails.
Result<int> run_pause(const PauseOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_pause(Args args, Context& ctx);

// Parses `ferry unpause` arguments.
Result<PauseOptions> parse_unpause(Args args);
// Unpauses each container, printing its name as given.
Result<int> run_unpause(const PauseOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_unpause(Args args, Context& ctx);

}  // namespace ferry::cli
