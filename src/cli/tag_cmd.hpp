#pragma once
// `ferry tag`: give an image another name.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct TagOptions : BaseOptions {
    std::string source;
    std::string target;
};

// Parses `ferry tag SOURCE TARGET`.
Result<TagOptions> parse_tag(Args args);
// Points TARGET at SOURCE's image (moving it from any other image).
Result<int> run_tag(const TagOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_tag(Args args, Context& ctx);

}  // namespace ferry::cli
