#pragma once
// `ferry cp`: copy files between a container and the host.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct CpOptions : BaseOptions {
    std::string container;  // the container side
    std::string container_path;
    std::string host_path;      // the host side, or "-" for a tar stream
    bool to_container = false;  // host -> container
    bool archive = false;       // -a/--archive
    bool follow_link = false;   // -L/--follow-link
    bool quiet = false;         // -q/--quiet
};

// Parses `ferry cp` arguments as docker does: `NAME:PATH` names a container path unless the
// argument is absolute or starts with `.`. Fails with `must specify at least one container
// source` or `copying between containers is not supported`.
Result<CpOptions> parse_cp(Args args);
// Copies.
Result<int> run_cp(const CpOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_cp(Args args, Context& ctx);

}  // namespace ferry::cli
