#pragma once
// `ferry image prune`: remove unused images; `ferry builder prune`: remove the build cache.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct ImagePruneOptions : BaseOptions {
    bool all = false;    // -a: every image no container uses, not only dangling ones
    bool force = false;  // -f: do not ask
};

// Parses `ferry image prune` arguments.
Result<ImagePruneOptions> parse_image_prune(Args args);
// Asks (unless -f), removes, and prints docker's report and `Total reclaimed space: …`.
Result<int> run_image_prune(const ImagePruneOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_image_prune(Args args, Context& ctx);

struct BuilderPruneOptions : BaseOptions {
    bool all = false;    // -a: accepted; ferry's build cache has no "dangling" part of its own
    bool force = false;  // -f: do not ask
};

// Parses `ferry builder prune` arguments.
Result<BuilderPruneOptions> parse_builder_prune(Args args);
// Asks (unless -f), removes every build step image no container uses, prints docker's report.
Result<int> run_builder_prune(const BuilderPruneOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_builder_prune(Args args, Context& ctx);

}  // namespace ferry::cli
