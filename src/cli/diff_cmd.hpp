#pragma once
// `ferry diff CONTAINER` (also `ferry container diff`): the container's changes to its image's
// file system, one `A|C|D PATH` line each.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct DiffOptions : BaseOptions {
    std::string container;
};

// Parses `ferry diff` arguments.
Result<DiffOptions> parse_diff(Args args);
// Prints runtime::container_changes of the container; an unknown one fails with exit status 1.
Result<int> run_diff(const DiffOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_diff(Args args, Context& ctx);

}  // namespace ferry::cli
