#pragma once
// `ferry save`: write images to a tar archive.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct SaveOptions : BaseOptions {
    std::string output;                   // -o; empty for stdout
    std::string format = "docker-archive";  // --format docker-archive|oci-archive
    bool quiet = false;                   // -q: no progress bar
    std::vector<std::string> images;
};

// Parses `ferry save` arguments.
Result<SaveOptions> parse_save(Args args);
// Writes the archive (to a temporary name beside -o, renamed when complete).
Result<int> run_save(const SaveOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_save(Args args, Context& ctx);

}  // namespace ferry::cli
