#pragma once
// `ferry run` and `ferry create`.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

// `ferry create [OPTIONS] IMAGE [COMMAND] [ARG...]`: prints the new container's ID.
Result<int> cmd_create(Args args, Context& ctx);
// `ferry run [OPTIONS] IMAGE [COMMAND] [ARG...]`: create, start, and (unless -d) attach until
// the container exits; ferry's exit status is the container's.
Result<int> cmd_run(Args args, Context& ctx);

}  // namespace ferry::cli
