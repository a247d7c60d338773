#pragma once
// `ferry version`.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct VersionOptions : BaseOptions {
    std::string format;  // "" or "json"
};

// Parses `ferry version` arguments.
Result<VersionOptions> parse_version(Args args);
// Prints the version report.
Result<int> run_version(const VersionOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_version(Args args, Context& ctx);

}  // namespace ferry::cli
