#pragma once
// `ferry system prune`: stopped containers, unused networks (ferry makes none), dangling images
// (with -a every image no container uses), build cache (none) and, with --volumes, anonymous
// volumes no container uses.

#include <cstdint>
#include <functional>
#include <map>

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct SystemPruneOptions : BaseOptions {
    bool all = false;                  // -a: every unused image, not only dangling ones
    bool volumes = false;              // --volumes: anonymous volumes too
    bool force = false;                // -f: no prompt
    std::vector<std::string> filters;  // --filter until=, label=, label!=
};

// Parses `ferry system prune` arguments; a filter without `=` fails as docker's flag does.
Result<SystemPruneOptions> parse_system_prune(Args args);
// Prompts (docker's list of what goes) unless -f, prunes each kind in docker's order and prints
// each kind's report, then `Total reclaimed space:`. Filter errors exit 1, as docker's.
Result<int> run_system_prune(const SystemPruneOptions& options, Context& ctx);
// The volume part (system_prune_volumes.cpp): removes the anonymous volumes no container uses
// whose labels selected accepts, adds the bytes reclaimed and returns docker's report
// (`Deleted Volumes:` and the names), empty when none went.
Result<std::string> prune_unused_volumes(
    const Context& ctx,
    const std::function<bool(const std::map<std::string, std::string>&)>& selected,
    uint64_t& reclaimed);

// Entry point for the command table.
Result<int> cmd_system_prune(Args args, Context& ctx);

}  // namespace ferry::cli
