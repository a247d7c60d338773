#pragma once
// `ferry update`: change the resource limits and restart policy of containers.

#include "ferry/cli/command.hpp"
#include "ferry/runtime/container_update.hpp"

namespace ferry::cli {

struct UpdateOptions : BaseOptions {
    runtime::UpdateRequest request;
    int flags_given = 0;  // docker refuses an update without any
    std::vector<std::string> containers;
};

// Parses `ferry update` arguments. Fails with pflag's `invalid argument "x" for "-m, --memory"
// flag: invalid size: 'x'`, `invalid restart policy 'bogus'`, or docker's `you must provide one
// or more flags when using this command`.
Result<UpdateOptions> parse_update(Args args);
// Updates each container, printing its name as given; one error line for each that fails.
Result<int> run_update(const UpdateOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_update(Args args, Context& ctx);

}  // namespace ferry::cli
