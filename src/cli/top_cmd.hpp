#pragma once
// `ferry top`: the running processes of a container.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct TopOptions : BaseOptions {
    std::string container;
    std::vector<std::string> ps_options;  // accepted for docker compatibility, not honoured
};

// Parses `ferry top` arguments (everything after CONTAINER is ps options).
Result<TopOptions> parse_top(Args args);
// Prints the container's processes in `ps -ef` columns; fails with `container `x` is not
// running`.
Result<int> run_top(const TopOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_top(Args args, Context& ctx);

}  // namespace ferry::cli
