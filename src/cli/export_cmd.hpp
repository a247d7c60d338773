#pragma once
// `ferry export`: a container's file system as a tar archive.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct ExportOptions : BaseOptions {
    std::string container;
    std::string output;  // -o/--output; empty for stdout
};

// Parses `ferry export` arguments.
Result<ExportOptions> parse_export(Args args);
// Writes the archive to stdout (never a terminal) or to the -o file, which appears only complete.
Result<int> run_export(const ExportOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_export(Args args, Context& ctx);

}  // namespace ferry::cli
