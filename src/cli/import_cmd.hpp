#pragma once
// `ferry import`: create an image from a root file system tarball.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct ImportOptions : BaseOptions {
    std::string source;                // FILE or "-"
    std::string reference;             // optional REPOSITORY[:TAG]
    std::vector<std::string> changes;  // -c/--change
    std::string message;               // -m/--message
    std::string platform;              // --platform
    bool quiet = false;                // -q
};

// Parses `ferry import` arguments.
Result<ImportOptions> parse_import(Args args);
// Imports and prints the new image ID (sha256:…).
Result<int> run_import(const ImportOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_import(Args args, Context& ctx);

}  // namespace ferry::cli
