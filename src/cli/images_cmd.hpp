#pragma once
// `ferry images` / `ferry image ls`: list images.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct ImagesOptions : BaseOptions {
    std::string repository;  // optional REPOSITORY[:TAG] pattern (a reference= filter)
    bool quiet = false;      // -q: IDs only
    bool all = false;        // -a: accepted for docker compatibility (no intermediate images)
    bool digests = false;    // --digests
    bool no_trunc = false;   // --no-trunc
    std::string format;      // --format: "", "json", "table …", or a template
    std::vector<std::string> filters;  // --filter before, since, dangling, label, reference
};

// Parses `ferry images` arguments.
Result<ImagesOptions> parse_images(Args args);
// Prints the image table.
Result<int> run_images(const ImagesOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_images(Args args, Context& ctx);

}  // namespace ferry::cli
