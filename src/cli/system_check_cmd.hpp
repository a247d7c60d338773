#pragma once
// `ferry system check [--repair]`: finds what is wrong in the store and, with --repair, fixes
// what can be fixed (docker has no such command; its output is ferry's own).

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct SystemCheckOptions : BaseOptions {
    bool repair = false;  // --repair
};

// Parses `ferry system check` arguments.
Result<SystemCheckOptions> parse_system_check(Args args);
// Prints one line per problem (`PROBLEM`, with --repair `PROBLEM: WHAT WAS DONE`), then
// `no problems found` or `N problems found[, M repaired]`. Returns 0 when the store is sound or
// was repaired, 1 when problems remain.
Result<int> run_system_check(const SystemCheckOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_system_check(Args args, Context& ctx);

}  // namespace ferry::cli
