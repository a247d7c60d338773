#pragma once
// `ferry build`: build an image from a Dockerfile.

#include <string>
#include <vector>

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct BuildOptions : BaseOptions {
    std::string context;                  // CONTEXT as typed
    std::vector<std::string> tags;        // -t/--tag, as typed
    std::string file;                     // -f/--file; "" for CONTEXT/Dockerfile
    std::vector<std::string> build_args;  // --build-arg K=V or K
    std::string target;                   // --target
    bool no_cache = false;                // --no-cache
    bool pull = false;                    // --pull
    bool quiet = false;                   // -q/--quiet
    std::string iidfile;                  // --iidfile
    std::vector<std::string> labels;      // --label K=V
    std::string platform;                 // --platform
    std::string network;                  // --network
    std::string progress = "auto";        // --progress
    std::string gpus;                     // --gpus
    std::vector<std::string> secrets;     // --secret
    std::vector<std::string> cache_from;  // --cache-from
};

// Parses `ferry build` arguments.
Result<BuildOptions> parse_build(Args args);
// Builds and prints the steps (or, with -q, the image ID); returns the exit status.
Result<int> run_build_cmd(const BuildOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_build(Args args, Context& ctx);

}  // namespace ferry::cli
