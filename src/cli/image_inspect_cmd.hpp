#pragma once
// `ferry image inspect`: docker-shaped JSON for images.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct ImageInspectOptions : BaseOptions {
    std::string format;  // -f/--format: Go-template subset
    std::vector<std::string> images;
};

// Parses `ferry image inspect` arguments.
Result<ImageInspectOptions> parse_image_inspect(Args args);
// Prints a JSON array (or the formatted lines); missing images are reported one line each and
// end the command with status 125 after the others are printed, as docker does.
Result<int> run_image_inspect(const ImageInspectOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_image_inspect(Args args, Context& ctx);

}  // namespace ferry::cli
