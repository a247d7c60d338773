#pragma once
// `ferry pull`: download an image from a registry (registry_pull.cpp) or straight from another
// machine's store over ssh (`ferry pull ssh://[user@]host[:port]/REF`).

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct PullOptions : BaseOptions {
    bool all_tags = false;              // -a: every tag of the repository
    bool quiet = false;                 // -q: print only the reference
    bool disable_content_trust = true;  // accepted for compatibility
    std::string platform;               // --platform (registries; an ssh move takes the image)
    int64_t max_concurrent_downloads = 0;  // 0: daemon.json's, else 3
    std::string image;                  // NAME[:TAG|@DIGEST] or ssh://…/NAME[:TAG]
};

// Parses `ferry pull` arguments.
Result<PullOptions> parse_pull(Args args);
// Moves the image here; prints docker pull's lines.
Result<int> run_pull(const PullOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_pull(Args args, Context& ctx);

}  // namespace ferry::cli
