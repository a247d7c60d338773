#pragma once
// `ferry rename CONTAINER NEW_NAME` (also `ferry container rename`).

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct RenameOptions : BaseOptions {
    std::string container;
    std::string new_name;
};

// Parses `ferry rename` arguments; an empty name fails (exit 1) with docker's client words,
// `Neither old nor new names may be empty`.
Result<RenameOptions> parse_rename(Args args);
// Renames the container (runtime/container_rename.hpp); an unknown one fails with status 1.
Result<int> run_rename(const RenameOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_rename(Args args, Context& ctx);

}  // namespace ferry::cli
