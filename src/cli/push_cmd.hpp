#pragma once
// `ferry push`: upload an image to its registry (registry_push.cpp) or straight into another
// machine's store over ssh (`ferry push REF ssh://[user@]host[:port]`).

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct PushOptions : BaseOptions {
    bool all_tags = false;              // -a: every tag of the repository
    bool quiet = false;                 // -q: print only the reference
    bool disable_content_trust = true;  // accepted for compatibility
    std::string compression = "zstd";   // --compression gzip|zstd (ssh moves; registries: gzip)
    bool compression_set = false;
    int64_t max_concurrent_uploads = 0;  // 0: daemon.json's, else 5
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
