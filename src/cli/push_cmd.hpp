#pragma once
// `ferry push`: upload an image; today to another machine over ssh
// (`ferry push REF ssh://[user@]host[:port]`), later to a registry.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct PushOptions : BaseOptions {
    bool all_tags = false;              // -a: every tag of the repository
    bool quiet = false;                 // -q: print only the reference
    bool disable_content_trust = true;  // accepted for compatibility
    std::string compression = "zstd";   // --compression gzip|zstd (ssh moves; registries: gzip)
    bool compression_set = false;
    std::string image;                  // NAME[:TAG]
    std::string destination;            // ssh://…; empty for the image's registry
};

// Parses `ferry push` arguments.
Result<PushOptions> parse_push(Args args);
// Moves the image; prints docker push's lines.
Result<int> run_push(const PushOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_push(Args args, Context& ctx);

}  // namespace ferry::cli
