#pragma once
// `ferry top`: the running processes of a container.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct TopOptions : BaseOptions {
    std::string container;
    std::vector<std::string> ps_options;  // for the host's ps (none: ps -ef, computed)
};

// Parses `ferry top` arguments (everything after CONTAINER is ps options).
Result<TopOptions> parse_top(Args args);
// Prints the container's processes (`ps -ef` columns, or the host ps's for ps options); fails
// with docker's `Container <id> is not running` or host_ps's errors.
Result<int> run_top(const TopOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_top(Args args, Context& ctx);

}  // namespace ferry::cli
